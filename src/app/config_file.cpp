#include "app/config_file.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>

namespace app {
namespace {

core::Error Invalid(std::string message, std::string subject) {
  return core::Error{core::ErrorCode::kInvalidArgument, std::move(message), std::move(subject)};
}

}  // namespace

core::Result<void> ApplyConfigFile(CLI::App& cli, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return core::Fail(core::ErrorCode::kNotFound,
                      fmt::format("cannot read the configuration file \"{}\"", path), "config");
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    return std::unexpected(
        Invalid(fmt::format("{}: not a valid configuration file: {}", path, e.what()), "config"));
  }
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    CLI::App* target = &cli;
    std::string section;
    for (const auto& parent : item.parents) {
      section += (section.empty() ? "" : ".") + parent;
      CLI::App* sub = nullptr;
      try {
        sub = target->get_subcommand(parent);
      } catch (const CLI::Error&) {
        sub = nullptr;
      }
      if (sub == nullptr) {
        return std::unexpected(
            Invalid(fmt::format("{}: unknown section [{}] (sections are commands, e.g. [run])",
                                path, section),
                    section));
      }
      target = sub;
    }
    std::string name = item.name;
    std::replace(name.begin(), name.end(), '_', '-');
    const std::string where = section.empty() ? name : fmt::format("[{}] {}", section, name);
    CLI::Option* option = target->get_option_no_throw("--" + name);
    if (option == nullptr || name == "config" || name == "help") {
      return std::unexpected(Invalid(
          fmt::format("{}: unknown setting {} (the keys are the long options of `antispam {}"
                      "--help`)",
                      path, where, section.empty() ? "" : section + " "),
          name));
    }
    if (option->count() > 0) continue;  // the command line or the environment set it
    try {
      if (option->get_type_size() == 0) {  // a flag
        option->add_result(item.inputs.empty() ? std::string("true") : item.inputs.front());
      } else {
        option->add_result(item.inputs);
      }
      option->run_callback();
    } catch (const CLI::Error& e) {
      return std::unexpected(Invalid(fmt::format("{}: {}: {}", path, where, e.what()), name));
    }
  }
  return {};
}

}  // namespace app
