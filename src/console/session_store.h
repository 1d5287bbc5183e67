// Internal: opening a session inside a ceremony's transaction.
#pragma once

#include "console/console.h"
#include "store/store.h"

namespace wardline::console {

// A new session for `user`, signed in with passkey `credential_id`.
Result<SignedIn> open_session(store::Executor& tx, const User& user, const std::string& credential_id,
                              const Settings& settings);

}  // namespace wardline::console
