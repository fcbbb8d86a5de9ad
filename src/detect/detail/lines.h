// Line-by-line reading of the list files: one entry per line, CR and surrounding blanks trimmed,
// blank lines skipped.
#pragma once

#include <string_view>

namespace detect::detail {

template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view line = text.substr(i, j - i);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.empty()) f(line);
    i = j + 1;
  }
}

}  // namespace detect::detail
