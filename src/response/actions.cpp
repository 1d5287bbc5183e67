// Which wipe a device gets: BYOD devices only ever lose the hospital's work
// container, corporate devices are erased; anything Wardline cannot be sure
// of is refused with the reason, never guessed.
#include "posture/posture.h"
#include "response/response.h"

namespace wardline::response {

std::string_view name_of(ActionKind k) {
  switch (k) {
    case ActionKind::lock: return "lock";
    case ActionKind::selective_wipe: return "selective_wipe";
    case ActionKind::full_wipe: return "full_wipe";
  }
  return "lock";
}

std::optional<ActionKind> parse_action_kind(std::string_view text) {
  for (ActionKind k : {ActionKind::lock, ActionKind::selective_wipe, ActionKind::full_wipe})
    if (name_of(k) == text) return k;
  return std::nullopt;
}

std::optional<WipeAsk> parse_wipe_ask(std::string_view text) {
  if (text.empty() || text == "auto") return WipeAsk::automatic;
  if (text == "selective") return WipeAsk::selective;
  if (text == "full") return WipeAsk::full;
  return std::nullopt;
}

std::string_view name_of(ActionState s) {
  switch (s) {
    case ActionState::awaiting_approval: return "awaiting_approval";
    case ActionState::dispatched: return "dispatched";
    case ActionState::failed: return "failed";
    case ActionState::unknown: return "unknown";
    case ActionState::expired: return "expired";
  }
  return "unknown";
}

Result<ActionKind> choose_wipe(const posture::Device& d, WipeAsk ask) {
  const std::string who = "device '" + d.id + "'";
  if (d.management == posture::Management::unmanaged)
    return make_error("refused", who + " is not enrolled in an MDM or app protection: there is nothing Wardline can wipe "
                                       "remotely. Enrol it, or handle it as a lost device with the user's help.");
  if (d.ownership == posture::Ownership::unknown)
    return make_error("refused", who + " has no recorded ownership, so Wardline cannot tell a selective wipe from a full "
                                       "one. Set it to corporate or personal in the MDM and import the devices again.");
  if (d.ownership == posture::Ownership::byod) {
    if (ask == WipeAsk::full)
      return make_error("refused", who + " is personally owned (BYOD): a full wipe would erase the owner's own data and "
                                         "is not allowed. A selective wipe removes the work profile and the managed apps "
                                         "with their data; ask for that (wipe type 'selective' or 'auto').");
    return ActionKind::selective_wipe;
  }
  // Corporate. App protection alone (MAM) reaches the managed apps, not the device.
  if (d.management == posture::Management::mam) {
    if (ask == WipeAsk::full)
      return make_error("refused", who + " is corporate but only under app protection (MAM): a full wipe needs MDM "
                                         "enrolment. Ask for a selective wipe, which removes the managed apps' data.");
    return ActionKind::selective_wipe;
  }
  return ask == WipeAsk::selective ? ActionKind::selective_wipe : ActionKind::full_wipe;
}

std::string_view wipe_word(const posture::Device& device) {
  auto k = choose_wipe(device, WipeAsk::automatic);
  if (!k) return "none";
  return *k == ActionKind::full_wipe ? "full" : "selective";
}

}  // namespace wardline::response
