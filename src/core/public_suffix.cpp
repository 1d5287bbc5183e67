// Registrable domains from the public suffix list (libpsl), so that
// "login.example.co.uk" and "a.b.example.com" group as their owners do.
#include <libpsl.h>

#include "core/public_suffix.h"

namespace wardline {
namespace {

// The list Debian's publicsuffix package keeps current, else the one built
// into libpsl.
const psl_ctx_t* suffix_list() {
  static const psl_ctx_t* ctx = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest ? latest : psl_builtin();
  }();
  return ctx;
}

}  // namespace

std::string registrable_domain(const std::string& host) {
  const psl_ctx_t* ctx = suffix_list();
  const char* reg = ctx ? psl_registrable_domain(ctx, host.c_str()) : nullptr;
  // A public suffix itself, an IP literal or a bare name has no registrable part.
  return reg ? std::string(reg) : host;
}

bool is_public_suffix(const std::string& host) {
  const psl_ctx_t* ctx = suffix_list();
  return ctx && psl_is_public_suffix(ctx, host.c_str());
}

}  // namespace wardline
