// Interaction callbacks, POST /interactions/{id}/{token}/callback (PROTOCOL.md §5.3,
// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "discord/model/commands.h"
#include "discord/model/message_body.h"

namespace discord {

enum class ResponseType : int {
  kPong = 1,                    // answer a PING (HTTP endpoint only)
  kChannelMessage = 4,          // reply with `message`
  kDeferredChannelMessage = 5,  // "thinking…", edit @original later; `message` may carry flags only
  kDeferredUpdate = 6,          // components: ack, edit later
  kUpdateMessage = 7,           // components: edit the component's message to `message`
  kAutocompleteResult = 8,      // `choices`
  kModal = 9,                   // `modal`; not in reply to PING or MODAL_SUBMIT
};

enum class TextInputStyle : int { kShort = 1, kParagraph = 2 };

// A text input in a modal, sent inside a Label (type 18).
struct TextInput {
  std::string custom_id;  // 1-100
  std::string label;      // 1-45
  TextInputStyle style = TextInputStyle::kShort;
  std::optional<int> min_length;  // 0..4000
  std::optional<int> max_length;  // 1..4000
  bool required = true;
  std::string placeholder;  // ≤ 100
  std::string value;        // prefilled, ≤ 4000

  bool operator==(const TextInput&) const = default;
};

struct Modal {
  std::string custom_id;          // 1-100
  std::string title;              // 1-45
  std::vector<TextInput> inputs;  // 1-5

  bool operator==(const Modal&) const = default;
};

struct InteractionResponse {
  ResponseType type = ResponseType::kChannelMessage;
  std::optional<CreateMessage> message;  // types 4 and 7 (required for 4); 5: flags only
  std::vector<CommandChoice> choices;    // type 8, ≤ 25
  std::optional<Modal> modal;            // type 9

  bool operator==(const InteractionResponse&) const = default;
};

// {"type":N,"data":{…}}, validated: the message by EncodeCreateMessage's rules, the data the type
// needs present and no other, the modal's and choices' limits.
core::Result<std::string> EncodeInteractionResponse(const InteractionResponse& response);

}  // namespace discord
