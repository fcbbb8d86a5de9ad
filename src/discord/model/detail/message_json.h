// A message body as JSON, shared by the message and interaction-response encoders. Internal.
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "discord/model/message_body.h"

namespace discord::detail {

enum class MessageJsonMode {
  kCreate,   // needs content, embeds or components; empty ones are left out
  kReplace,  // interaction UPDATE_MESSAGE: all three written, so empty ones are cleared
};

core::Result<nlohmann::json> MessageJson(const CreateMessage& message, MessageJsonMode mode);

}  // namespace discord::detail
