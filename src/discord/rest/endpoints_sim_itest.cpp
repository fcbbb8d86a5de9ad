// Every typed endpoint of the REST client against the Discord simulator: the moderation workflow
// of a flagged user end to end (restrict, timeout, admin message with buttons, private
// verification thread, the button's interaction answered, clean-up, ban), each answer decoded and
// the simulator's state checked.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "discord/rest/client.h"
#include "net/http_client.h"
#include "sim/simulator.h"

namespace discord::rest {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class EndpointsSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(simulator_.Start().has_value());
    g_ = simulator_.AddStandardGuild("guild");
    spammer_ = simulator_.AddUser("spammer");
    simulator_.Join(g_.guild, spammer_);
    ClientOptions o;
    o.api_base_url = simulator_.api_base_url();
    o.token = simulator_.token();
    o.application_id = std::to_string(simulator_.application_id());
    client_ = std::make_unique<Client>(io_.get_executor(), http_, core::DefaultClock(), o);
  }

  template <class T>
  T Run(asio::awaitable<T> task) {
    auto fut = asio::co_spawn(io_, std::move(task), asio::use_future);
    io_.restart();
    io_.run_for(10s);
    return fut.get();
  }

  const sim::Member* MemberOf(core::UserId u) {
    const sim::Member* out = nullptr;
    simulator_.With([&](sim::World& w) {
      auto& members = w.FindGuild(g_.guild.value())->members;
      if (auto it = members.find(u.value()); it != members.end()) out = &it->second;
    });
    return out;  // read after With returns: the test thread is the only writer meanwhile
  }

  sim::Simulator simulator_;
  sim::StandardGuild g_;
  core::UserId spammer_;
  asio::io_context io_;
  net::HttpClient http_{io_.get_executor()};
  std::unique_ptr<Client> client_;
};

TEST_F(EndpointsSimTest, TheModerationWorkflowEndToEnd) {
  auto gateway = Run(client_->GetGatewayBot());
  ASSERT_TRUE(gateway.has_value()) << gateway.error().ToString();
  EXPECT_EQ(gateway->url, simulator_.gateway_url());

  auto user = Run(client_->GetUser(spammer_));
  ASSERT_TRUE(user.has_value()) << user.error().ToString();
  EXPECT_EQ(user->username, "spammer");

  // Restrict and time out.
  ASSERT_TRUE(Run(client_->AddMemberRole(g_.guild, spammer_, g_.restricted_role, "scam link")));
  auto timed_out = Run(client_->TimeoutMember(
      g_.guild, spammer_, core::DefaultClock().Now() + std::chrono::hours(1), "scam link"));
  ASSERT_TRUE(timed_out.has_value()) << timed_out.error().ToString();
  EXPECT_TRUE(timed_out->communication_disabled_until.has_value());
  auto member = Run(client_->GetMember(g_.guild, spammer_));
  ASSERT_TRUE(member.has_value()) << member.error().ToString();
  EXPECT_EQ(member->roles, std::vector<core::RoleId>{g_.restricted_role});
  auto too_long = Run(client_->TimeoutMember(
      g_.guild, spammer_, core::DefaultClock().Now() + std::chrono::days(29), "x"));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, core::ErrorCode::kInvalidArgument);

  // The admin message with buttons.
  CreateMessage alert;
  alert.embeds.push_back(Embed{.title = "Spam suspect", .description = "scam link"});
  alert.components.push_back(ActionRow{
      {Button{.style = ButtonStyle::kSuccess, .label = "Verify", .custom_id = "as:verify:1"},
       Button{.style = ButtonStyle::kDanger, .label = "Ban", .custom_id = "as:ban:1"}}});
  auto posted = Run(client_->CreateMessage(g_.admin, alert));
  ASSERT_TRUE(posted.has_value()) << posted.error().ToString();
  EXPECT_EQ(posted->embeds, 1);
  ASSERT_EQ(posted->components.size(), 1u);
  EXPECT_EQ(posted->components[0].components[1].custom_id, "as:ban:1");
  auto edited = Run(client_->EditMessage(g_.admin, posted->id, EditMessage{.content = "flagged"}));
  ASSERT_TRUE(edited.has_value()) << edited.error().ToString();
  EXPECT_EQ(edited->content, "flagged");
  auto fetched = Run(client_->GetMessage(g_.admin, posted->id));
  ASSERT_TRUE(fetched.has_value());
  EXPECT_EQ(fetched->content, "flagged");

  // The private verification thread.
  auto thread = Run(client_->StartThread(
      g_.verification, StartThread{.name = "verify-spammer", .invitable = false}, "verification"));
  ASSERT_TRUE(thread.has_value()) << thread.error().ToString();
  EXPECT_EQ(thread->type, ChannelType::kPrivateThread);
  EXPECT_EQ(thread->parent_id, g_.verification);
  ASSERT_TRUE(Run(client_->AddThreadMember(thread->id, spammer_)));
  auto archived =
      Run(client_->ModifyChannel(thread->id, ModifyChannel{.archived = true, .locked = true}));
  ASSERT_TRUE(archived.has_value()) << archived.error().ToString();
  ASSERT_TRUE(archived->thread_metadata.has_value());
  EXPECT_TRUE(archived->thread_metadata->archived);
  EXPECT_TRUE(archived->thread_metadata->locked);
  auto from_message =
      Run(client_->StartThreadFromMessage(g_.admin, posted->id, StartThread{.name = "case notes"}));
  ASSERT_TRUE(from_message.has_value()) << from_message.error().ToString();
  EXPECT_EQ(from_message->id.value(), posted->id.value());  // a thread has its message's id

  // A moderator clicks Ban: the interaction is answered, then followed up and edited.
  const core::UserId moderator = simulator_.AddUser("mod");
  simulator_.Join(g_.guild, moderator, {g_.moderator_role});
  const std::uint64_t click = simulator_.ClickButton(g_.admin, posted->id, moderator, "as:ban:1");
  ASSERT_NE(click, 0u);
  const std::string token = simulator_.Interaction(click)->token;
  ASSERT_TRUE(Run(client_->CreateInteractionResponse(
      InteractionId(click), token,
      InteractionResponse{.type = ResponseType::kDeferredChannelMessage})));
  auto again = Run(client_->CreateInteractionResponse(
      InteractionId(click), token, InteractionResponse{.type = ResponseType::kDeferredUpdate}));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(ApiCode(again.error()), api_code::kAlreadyAcknowledged);
  EXPECT_EQ(again.error().message.find(token), std::string::npos);  // the token is a secret
  auto original = Run(client_->EditOriginalResponse(token, EditMessage{.content = "banned"}));
  ASSERT_TRUE(original.has_value()) << original.error().ToString();
  EXPECT_EQ(original->content, "banned");
  auto followup =
      Run(client_->CreateFollowupMessage(token, CreateMessage{.content = "done", .flags = 64}));
  ASSERT_TRUE(followup.has_value()) << followup.error().ToString();

  // A timed-out member cannot post: lift the timeout first.
  EXPECT_FALSE(simulator_.Post(g_.general, spammer_, "still here?").has_value());
  auto lifted = Run(client_->TimeoutMember(g_.guild, spammer_, std::nullopt));
  ASSERT_TRUE(lifted.has_value()) << lifted.error().ToString();
  EXPECT_FALSE(lifted->communication_disabled_until.has_value());

  // Clean-up and the ban.
  const auto m1 = simulator_.Post(g_.general, spammer_, "free nitro 1");
  const auto m2 = simulator_.Post(g_.general, spammer_, "free nitro 2");
  const auto m3 = simulator_.Post(g_.general, spammer_, "free nitro 3");
  ASSERT_TRUE(m1 && m2 && m3);
  ASSERT_TRUE(Run(client_->DeleteMessage(g_.general, *m1, "spam")));
  ASSERT_TRUE(Run(client_->BulkDeleteMessages(g_.general, {*m2, *m3}, "spam")));
  auto gone = Run(client_->GetMessage(g_.general, *m2));
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(ApiCode(gone.error()), api_code::kUnknownMessage);
  ASSERT_TRUE(Run(client_->RemoveMemberRole(g_.guild, spammer_, g_.restricted_role)));
  ASSERT_TRUE(Run(client_->CreateBan(g_.guild, spammer_,
                                     CreateBan{.delete_message_seconds = std::chrono::hours(1)},
                                     "scam link")));
  EXPECT_EQ(MemberOf(spammer_), nullptr);
  auto kick_gone = Run(client_->RemoveMember(g_.guild, spammer_, "x"));
  ASSERT_FALSE(kick_gone.has_value());
  EXPECT_EQ(ApiCode(kick_gone.error()), api_code::kUnknownMember);
  ASSERT_TRUE(Run(client_->RemoveBan(g_.guild, spammer_, "appeal")));

  // Set-up endpoints.
  auto roles = Run(client_->GetGuildRoles(g_.guild));
  ASSERT_TRUE(roles.has_value()) << roles.error().ToString();
  EXPECT_EQ(roles->size(), 5u);  // @everyone, Admins, antispam, Moderators, Restricted
  auto channel = Run(client_->CreateChannel(
      g_.guild,
      CreateChannel{.name = "verification-2",
                    .permission_overwrites = {Overwrite{g_.guild.value(), Overwrite::Type::kRole, 0,
                                                        permission::kViewChannel}}},
      "setup"));
  ASSERT_TRUE(channel.has_value()) << channel.error().ToString();
  auto channels = Run(client_->GetGuildChannels(g_.guild));
  ASSERT_TRUE(channels.has_value()) << channels.error().ToString();
  EXPECT_EQ(channels->size(), 4u);
  const ApplicationCommand commands[] = {
      {.name = "history", .description = "A member's detections and actions"},
      {.name = "config", .description = "View or change settings"}};
  auto registered = Run(client_->BulkOverwriteGuildCommands(g_.guild, commands));
  ASSERT_TRUE(registered.has_value()) << registered.error().ToString();
  ASSERT_EQ(registered->size(), 2u);
  EXPECT_EQ((*registered)[1].name, "config");
  auto global = Run(client_->BulkOverwriteGlobalCommands(commands));
  ASSERT_TRUE(global.has_value()) << global.error().ToString();

  // The reasons reached Discord URL-decoded; nothing hit a rate limit.
  bool saw_reason = false;
  for (const auto& call : simulator_.Calls()) saw_reason |= call.reason == "scam link";
  EXPECT_TRUE(saw_reason);
  EXPECT_EQ(simulator_.earned_429s(), 0);
}

TEST_F(EndpointsSimTest, ABadBodyIsRefusedBeforeAnythingIsSent) {
  auto empty = Run(client_->CreateMessage(g_.general, CreateMessage{}));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, core::ErrorCode::kInvalidArgument);
  auto one = Run(client_->BulkDeleteMessages(g_.general, {core::MessageId(1)}));
  ASSERT_FALSE(one.has_value());
  EXPECT_EQ(one.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(simulator_.Calls().empty());
}

}  // namespace
}  // namespace discord::rest
