// Internal: audit events as Merkle leaves. A leaf is the event's canonical
// JSON (RFC 8785) with its sequence number:
//   {"actor":..,"details":{..},"id":..,"outcome":..,"seq":N,"severity":..,
//    "source_ip":..,"subject":..,"time":..,"type":..}
#pragma once

#include <openssl/sha.h>

#include <string>

#include "audit/merkle.h"
#include "siem/siem.h"

namespace wardline::audit {

// The canonical text around "seq", and the SHA-256 state after the leaf
// prefix and the head, computed by the caller's thread off the commit path.
struct PreparedLeaf {
  std::string head;  // "{...,"outcome":"..."
  std::string tail;  // ""severity":...}"
  SHA256_CTX head_state;
};
PreparedLeaf prepare_leaf(const siem::SecurityEvent& e);
std::string leaf_data(const PreparedLeaf& p, uint64_t seq);
// leaf_hash(leaf_data(p, seq)), finishing from the prepared state.
Hash prepared_leaf_hash(const PreparedLeaf& p, uint64_t seq);

Result<siem::SecurityEvent> event_from_leaf(const std::string& data);
// The "seq" a leaf names, or -1 if it names none.
int64_t seq_of_leaf(std::string_view data);

// Typed events: known types carry the details their consumers rely on.
Status validate_event(const siem::SecurityEvent& e);

}  // namespace wardline::audit
