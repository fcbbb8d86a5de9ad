// The slash commands and case buttons (issue 5 items 3, 4): their definitions (registered on
// start), their permission checks and their handlers, on an interactions::Router.
//
//   /config view [key] | set key value | reset key        Manage Guild
//   /setupverification                                      Manage Guild
//   /verify user, /kick user [reason], /history user,
//   /flag user reason                                       Moderate Members or Kick Members
//   /ban user [reason] [delete_messages]                    Ban Members
//   buttons Verify, Kick, Reopen, History (as /verify)      Ban (as /ban)
//
// A refusal is an ephemeral message, changes nothing, and is logged with who tried what.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio/awaitable.hpp>
// clang-format on
#include <boost/asio/thread_pool.hpp>
#include <vector>

#include "bot/config_service.h"
#include "bot/moderator.h"
#include "discord/interactions/router.h"
#include "discord/model/commands.h"
#include "discord/rest/client.h"

namespace bot {

// Every command, as registered with Discord (global commands).
std::vector<discord::ApplicationCommand> CommandDefinitions();

struct CommandStats {
  std::uint64_t handled = 0;
  std::uint64_t refused = 0;  // missing permissions (the router's and the any-of checks here)
};

class Commands {
 public:
  Commands(Moderator& moderator, ConfigService& config, discord::rest::Client& rest,
           boost::asio::thread_pool& db);

  // Registers every route. Call once, before the first interaction.
  void Register(discord::interactions::Router& router);

  const CommandStats& stats() const { return stats_; }
  // Counts a refusal the router made (its Outcome), for stats and the log.
  void Refused(const discord::Interaction& interaction, std::string_view route,
               discord::Permissions missing);

 private:
  using Context = discord::interactions::Context;
  using Task = boost::asio::awaitable<core::Result<void>>;
  Task ConfigView(Context& c);
  Task ConfigSet(Context& c);
  Task ConfigReset(Context& c);
  Task SetupVerification(Context& c);
  Task Verify(Context& c);
  Task Ban(Context& c);
  Task Kick(Context& c);
  Task HistoryCommand(Context& c);
  Task FlagCommand(Context& c);
  Task CaseButton(Context& c, CaseAction action);
  Task HistoryButton(Context& c);
  // The case action of a command on a member: the same as the buttons, answered ephemerally, and
  // the case's embed updated in the admin channel.
  Task MemberAction(Context& c, CaseAction action);
  // Moderate Members or Kick Members; false (and an ephemeral refusal sent) otherwise.
  boost::asio::awaitable<bool> CanModerate(Context& c);
  // Discord's rule for people, which the bot (ranked above them) would otherwise bypass: the
  // owner may act on anyone; anyone else only on members whose highest role is below theirs, and
  // never on the owner. `target_roles` nullptr: looked up. False (and an ephemeral refusal sent,
  // the attempt logged) otherwise.
  boost::asio::awaitable<bool> MayActOn(Context& c, core::UserId target,
                                        const std::vector<core::RoleId>* target_roles);

  Moderator& moderator_;
  ConfigService& config_;
  discord::rest::Client& rest_;
  boost::asio::thread_pool& db_;
  CommandStats stats_;
};

}  // namespace bot
