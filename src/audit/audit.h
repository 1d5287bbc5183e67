// The tamper-evident audit log: RFC 6962 Merkle trees (merkle.h), the
// append-only ledger with signed tree heads, proofs, search and archives.
#pragma once

#include "audit/merkle.h"
