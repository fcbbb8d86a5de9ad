// A REST path as Discord's rate limits see it (../shared/discord/PROTOCOL.md §4.2): the route
// template, with every 17-20 digit id as ":id", tokens as ":token" and everything after
// /reactions/ as one ":reaction", and the major parameter (the first id after /channels/,
// /guilds/ or /webhooks/; webhooks: id/token). Shared by the REST client's limiter and the
// simulator's, which must key buckets alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace discord {

struct RoutePath {
  std::string path;  // "/guilds/:id/members/:id"
  std::string major = "global";
  std::string last_id;             // the last id in the path ("" when none)
  std::string webhook_id;          // set when the path has a webhook token
  bool interaction_token = false;  // /interactions/{id}/{token}/...
};

// The query, if any, is ignored.
RoutePath NormaliseRoute(std::string_view path);

// The path's segments between slashes (empty ones skipped): "/a//b/" -> {"a", "b"}.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace discord
