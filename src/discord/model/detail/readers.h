// The entity readers over a simdjson object, shared by the gateway and REST decoders. Internal.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "discord/model/channel.h"
#include "discord/model/components.h"
#include "discord/model/detail/json_read.h"
#include "discord/model/embed.h"
#include "discord/model/guild.h"
#include "discord/model/interaction.h"
#include "discord/model/message.h"
#include "discord/model/permissions.h"
#include "discord/model/user.h"

namespace discord::detail {

core::Result<User> ReadUser(const object& o, const Path& path);
core::Result<Member> ReadMember(const object& o, const Path& path);
core::Result<Role> ReadRole(const object& o, const Path& path);
core::Result<Overwrite> ReadOverwrite(const object& o, const Path& path);
core::Result<Channel> ReadChannel(const object& o, const Path& path);
core::Result<Guild> ReadGuild(const object& o, const Path& path);
core::Result<Embed> ReadEmbed(const object& o, const Path& path);
core::Result<Attachment> ReadAttachment(const object& o, const Path& path);
// The action rows of a "components" field (other top-level components skipped); each row's
// buttons (other children skipped).
std::vector<ActionRow> ReadActionRows(Field components);

enum class MessageShape {
  kFull,     // timestamp required
  kPartial,  // an interaction's message or resolved target: timestamp defaults to the id's time
};
core::Result<Message> ReadMessage(const object& o, const Path& path,
                                  MessageShape shape = MessageShape::kFull);
core::Result<Interaction> ReadInteraction(const object& o, const Path& path);

// Decodes a whole document: one object read by `read`, or an array of them.
template <class T, class F>
core::Result<T> DecodeOne(std::string_view json, std::string_view what, F&& read) {
  auto o = ParseObject(json, what);
  if (!o) return std::unexpected(std::move(o.error()));
  const Path root(what);
  return read(*o, root);
}

template <class T, class F>
core::Result<std::vector<T>> DecodeList(std::string_view json, std::string_view what, F&& read) {
  auto a = ParseArray(json, what);
  if (!a) return std::unexpected(std::move(a.error()));
  const Path root(what);
  std::vector<T> out;
  out.reserve(a->size());
  std::size_t i = 0;
  for (element item : *a) {
    const Path at(root, i++);
    object o;
    if (item.get(o) != simdjson::SUCCESS) return std::unexpected(Bad(at, "is not an object"));
    auto v = read(o, at);
    if (!v) return std::unexpected(std::move(v.error()));
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace discord::detail
