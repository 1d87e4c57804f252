// The command tree as a newcomer meets it (issue 11, items 4, 6 and 10): every help page has an
// example and exit codes, families have one-line summaries, every command that prints results
// takes --json, mistyped commands and options are named with a suggestion, and --version says
// which build it is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "cli/app.h"
#include "cli/docgen.h"
#include "cli/help.h"

namespace vouch::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Commands without --json: services, `enclave run` (it becomes the enclave's program) and help.
const std::set<std::string> kWithoutJson = {"vouch serve log", "vouch serve witness",
                                            "vouch serve explorer", "vouch enclave run",
                                            "vouch help"};

class CommandTreeTest : public ::testing::Test {
 protected:
  void ForEach(const std::function<void(const CLI::App*)>& f, const CLI::App* app = nullptr) {
    if (app == nullptr) app = app_.get();
    f(app);
    for (const CLI::App* sub : Subcommands(app)) ForEach(f, sub);
  }
  std::string Help(const CLI::App* app) {
    const CLI::App* parent = app->get_parent();
    return app->help(parent == nullptr ? "" : CommandPath(parent));
  }
  std::optional<UsageProblem> Check(std::vector<std::string> args) {
    return CheckCommandLine(*app_, args);
  }

  CommandContext ctx_;
  std::unique_ptr<CLI::App> app_ = BuildApp(ctx_);
};

TEST_F(CommandTreeTest, EveryHelpPageHasExamplesAndExitCodes) {
  size_t pages = 0;
  ForEach([&](const CLI::App* app) {
    ++pages;
    std::string help = Help(app);
    EXPECT_THAT(help, HasSubstr("Examples:\n  vouch ")) << CommandPath(app);
    EXPECT_THAT(help, HasSubstr("Exit codes")) << CommandPath(app);
  });
  // No example is written for a command that does not exist.
  EXPECT_EQ(ExampleTable().size(), pages);
  EXPECT_GE(pages, 31u);
}

TEST_F(CommandTreeTest, EveryCommandIsInTheManualAndTheCompletion) {
  std::vector<ManPage> pages = ManPages(*app_, "0.0-test");
  ASSERT_EQ(pages.size(), Subcommands(app_.get()).size() + 1);
  EXPECT_EQ(pages[0].file_name, "vouch.1");
  std::string all;
  for (const ManPage& page : pages) {
    EXPECT_THAT(page.roff, ::testing::StartsWith(".TH ")) << page.file_name;
    all += page.roff;
  }
  const std::string completion = BashCompletion(*app_);
  ForEach([&](const CLI::App* app) {
    const std::string path = CommandPath(app);
    EXPECT_THAT(all, HasSubstr("Usage: " + path + " ")) << path;
    EXPECT_THAT(completion, HasSubstr("\"" + path + "\") commands=")) << path;
  });
}

TEST(RoffLiteralTest, NeutralisesControlLinesAndBackslashes) {
  EXPECT_EQ(RoffLiteral("a\\b\n.TH x\n'c\nd.e"), "a\\eb\n\\&.TH x\n\\&'c\nd.e");
  EXPECT_EQ(RoffLiteral(".start"), "\\&.start");
}

TEST_F(CommandTreeTest, FamiliesHaveOneLineSummaries) {
  for (const CLI::App* family : Subcommands(app_.get())) {
    EXPECT_THAT(family->get_description(), Not(HasSubstr("\n"))) << family->get_name();
    EXPECT_LE(family->get_description().size(), 70u) << family->get_name();
  }
}

// The summary a family's help lists its commands by is one line; the long text is the command's
// own help page (SetLongDescription).
TEST_F(CommandTreeTest, EveryCommandHasAOneLineSummary) {
  ForEach([&](const CLI::App* app) {
    if (app->get_parent() == nullptr) return;  // `vouch` itself: its help page's banner
    EXPECT_THAT(app->get_description(), Not(HasSubstr("\n"))) << CommandPath(app);
    EXPECT_LE(app->get_description().size(), 90u) << CommandPath(app);
  });
}

TEST_F(CommandTreeTest, EveryCommandThatPrintsResultsTakesJson) {
  ForEach([&](const CLI::App* app) {
    if (!Subcommands(app).empty()) return;
    const std::string path = CommandPath(app);
    bool has_json = app->get_option_no_throw("--json") != nullptr;
    EXPECT_EQ(has_json, kWithoutJson.count(path) == 0) << path;
  });
}

TEST_F(CommandTreeTest, NetworkCommandsAreVerbose) {
  for (const char* path : {"log add", "log checkpoint", "log proof", "log audit",
                           "sgx collateral fetch", "sgx verify"}) {
    const CLI::App* app = app_.get();
    std::istringstream words(path);
    for (std::string w; words >> w;) app = FindSubcommand(app, w);
    ASSERT_NE(app, nullptr) << path;
    EXPECT_NE(app->get_option_no_throw("--verbose"), nullptr) << path;
  }
}

TEST_F(CommandTreeTest, MistypedCommandsAreNamedWithTheNearest) {
  auto p = Check({"foo"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "'foo' is not a command of 'vouch'");
  p = Check({"sgx", "verfy", "q.bin"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "'verfy' is not a command of 'vouch sgx'");
  EXPECT_THAT(p->hint, HasSubstr("did you mean 'verify'?"));
  p = Check({"log", "ad", "http://x", "e"});
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->hint, HasSubstr("did you mean 'add'?"));
  p = Check({"sgx"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "'vouch sgx' needs a command: verify or collateral");
  p = Check({});
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->message, HasSubstr("'vouch' needs a command"));
}

TEST_F(CommandTreeTest, AFamilyThatRunsItselfTakesItsOwnArguments) {
  // `vouch audit LOG_URL` beside `vouch audit replay FILE`.
  EXPECT_EQ(Check({"audit", "http://127.0.0.1:7381", "--policy", "p", "--json"}), std::nullopt);
  EXPECT_EQ(Check({"audit", "--policy", "p"}), std::nullopt);
  EXPECT_EQ(Check({"audit", "replay", "ledger.jsonl", "--json"}), std::nullopt);
  auto p = Check({"audit", "http://x", "--polcy", "p"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "'vouch audit' has no option --polcy");
  EXPECT_THAT(p->hint, HasSubstr("did you mean --policy?"));
  p = Check({"audit", "replay", "f", "--state", "s"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "'vouch audit replay' has no option --state");
}

TEST_F(CommandTreeTest, UnknownOptionsAreNamed) {
  // Not "--collateral is required": the unknown option comes first.
  auto p = Check({"sgx", "verify", "--bogus", "x"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->message, "'vouch sgx verify' has no option --bogus");
  p = Check({"sgx", "verify", "q.bin", "--colateral=c"});
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->hint, HasSubstr("did you mean --collateral?"));
  // Known options, "-" for stdin, negative numbers and words after "--" are fine.
  EXPECT_FALSE(Check({"sgx", "verify", "-", "--collateral", "c", "--json"}).has_value());
  EXPECT_FALSE(Check({"enclave", "run", "app", "--", "--anything"}).has_value());
  EXPECT_FALSE(Check({"--version"}).has_value());
  EXPECT_FALSE(Check({"-V"}).has_value());
  EXPECT_FALSE(Check({"sgx", "--help"}).has_value());
}

TEST_F(CommandTreeTest, HelpCommandFindsFamiliesAndCommands) {
  EXPECT_EQ(CommandPath(FindHelpTarget(*app_, {"sgx", "verify"}).app), "vouch sgx verify");
  EXPECT_EQ(CommandPath(FindHelpTarget(*app_, {}).app), "vouch");
  HelpTarget bad = FindHelpTarget(*app_, {"lgo"});
  ASSERT_TRUE(bad.problem.has_value());
  EXPECT_THAT(bad.problem->hint, HasSubstr("did you mean 'log'?"));
}

TEST(VersionTest, SaysWhichBuild) {
  std::string v = VersionText();
  EXPECT_THAT(v, ::testing::StartsWith("vouch 0."));
  EXPECT_THAT(v, HasSubstr("\ncommit:     "));
  EXPECT_THAT(v, HasSubstr("\nbuild type: "));
  EXPECT_THAT(v, ::testing::ContainsRegex("OpenSSL: +3\\.[0-9]"));
  EXPECT_THAT(v, ::testing::ContainsRegex("SQLite: +3\\.[0-9]"));
}

}  // namespace
}  // namespace vouch::cli
