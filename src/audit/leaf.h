// Internal: audit events as Merkle leaves. A leaf is the event's canonical
// JSON (RFC 8785) with its sequence number:
//   {"actor":..,"details":{..},"id":..,"outcome":..,"seq":N,"severity":..,
//    "source_ip":..,"subject":..,"time":..,"type":..}
#pragma once

#include <string>

#include "siem/siem.h"

namespace wardline::audit {

// The canonical text around "seq", computed off the commit path.
struct PreparedLeaf {
  std::string head;  // "{...,"outcome":"..."
  std::string tail;  // ""severity":...}"
};
PreparedLeaf prepare_leaf(const siem::SecurityEvent& e);
std::string leaf_data(const PreparedLeaf& p, uint64_t seq);

Result<siem::SecurityEvent> event_from_leaf(const std::string& data);
// The "seq" a leaf names, or -1 if it names none.
int64_t seq_of_leaf(const std::string& data);

// Typed events: known types carry the details their consumers rely on.
Status validate_event(const siem::SecurityEvent& e);

}  // namespace wardline::audit
