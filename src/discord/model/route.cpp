#include "discord/model/route.h"

#include <algorithm>
#include <vector>

namespace discord {
namespace {

bool IsId(std::string_view s) {
  return s.size() >= 17 && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

RoutePath NormaliseRoute(std::string_view path) {
  RoutePath r;
  if (const std::size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  const std::vector<std::string_view> seg = SplitPath(path);
  for (std::size_t i = 0; i < seg.size(); ++i) {
    const std::string_view s = seg[i];
    const std::string_view before = i > 0 ? seg[i - 1] : std::string_view();
    if (before == "reactions") {  // the emoji and anything after it: one reaction route
      r.path += "/:reaction";
      break;
    }
    if (IsId(s)) {
      r.path += "/:id";
      if (r.major == "global" &&
          (before == "channels" || before == "guilds" || before == "webhooks")) {
        r.major.assign(s);
      }
      r.last_id.assign(s);
      continue;
    }
    // A token: after a webhook id, or after an interaction id.
    if (i >= 2 && IsId(before) && (seg[i - 2] == "webhooks" || seg[i - 2] == "interactions")) {
      r.path += "/:token";
      if (seg[i - 2] == "webhooks") {
        r.major = std::string(before) + "/" + std::string(s);
        r.webhook_id.assign(before);
      } else {
        r.interaction_token = true;
      }
      continue;
    }
    r.path += "/";
    r.path += s;
  }
  if (r.path.empty()) r.path = "/";
  return r;
}

}  // namespace discord
