#include "cli/help.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <system_error>

#include "cli/build_info.h"
#include "cli/docgen.h"
#include "vouch/base/file.h"
#include "vouch/constraint/hints.h"

namespace vouch::cli {
const std::map<std::string_view, std::string_view>& ExampleTable() {
  static const auto* table = new std::map<std::string_view, std::string_view>{
      {"vouch",
       "  vouch demo                        # the whole story on this machine, in seconds\n"
       "  vouch sgx verify quote.bin --collateral coll/ --constraint \"S:<MRSIGNER> PROD:0\"\n"
       "  vouch help log                    # the transparency-log commands\n"
       "  vouch log add --help              # one command's options and examples"},
      {"vouch demo",
       "  vouch demo                      # the whole story in a temporary directory (~20 s)\n"
       "  vouch demo --dir demo --verbose # every command shown; the files kept in demo/\n"
       "  vouch demo --keep               # the services keep running until Ctrl-C"},
      {"vouch version",
       "  vouch version\n"
       "  vouch version --verify-integrity          # integrity: ok <digest>"},
      {"vouch help",
       "  vouch help sgx verify\n"
       "  vouch help --man /tmp/man && man -l /tmp/man/vouch-sgx.1\n"
       "  vouch help --completion bash > ~/.local/share/bash-completion/completions/vouch"},
      {"vouch statement",
       "  vouch statement keygen --out root-a.pem\n"
       "  vouch statement sign adm.json --key root-a.pem --out adm.entry\n"
       "  vouch statement verify adm.entry --entry --key root-a.pub --key root-b.pub"},
      {"vouch statement keygen",
       "  vouch statement keygen --out builder-a.pem      # and builder-a.pub.pem\n"
       "  vouch statement keygen --out owner.pem --pub-out owner.pub --json"},
      {"vouch statement sign",
       "  vouch govern admit ... --out adm.json\n"
       "  vouch statement sign adm.json --key root-a.pem --out adm.entry\n"
       "  vouch statement sign adm.entry --key root-b.pem --out adm.entry   # countersign"},
      {"vouch statement verify",
       "  vouch statement verify adm.entry --key root-a.pub --key root-b.pub --threshold 2\n"
       "  vouch statement verify bundle.sigstore.json --key publish.pub --json"},
      {"vouch statement inspect", "  vouch statement inspect adm.entry --json"},
      {"vouch govern",
       "  vouch govern key-binding a.pub\n"
       "  vouch govern admit --ledger log.example/vouch --role workload --constraint "
       "'C:<MRENCLAVE>' "
       "\\\n      --expires 2027-06-01T00:00:00Z --reproduced-by 3:<SHA256> --out adm.json"},
      {"vouch govern root-set",
       "  vouch govern root-set --ledger log.example/vouch --version 1 "
       "--expires 2027-06-01T00:00:00Z --threshold 2 \\\n"
       "    --root 'name=root-a,key=a.pub,constraint=C:AB12... SEC:STALE,"
       "quote=a.quote,collateral=coll,reproduced-by=0:98aa...+1:9db5...' \\\n"
       "    --root ... --builder 'id=https://builder-a.example/vouch,key=ba.pub' "
       "--builder ... --out set1.json"},
      {"vouch govern admit",
       "  vouch govern admit --ledger log.example/vouch --role workload \\\n"
       "    --constraint 'C:B988... SEC:STALE' --expires 2027-06-01T00:00:00Z \\\n"
       "    --reproduced-by 3:98aa... --reproduced-by 4:9db5... --out adm.json"},
      {"vouch govern revoke",
       "  vouch govern revoke --ledger log.example/vouch --kind measurement --mrenclave b988... "
       "\\\n    --reason vulnerability --note 'use hello-1.0.1' --out rev.json"},
      {"vouch govern record",
       "  vouch govern record --ledger log.example/vouch --activity payroll-db "
       "--activity-version 1 \\\n    --register register.json --purpose 'Monthly payroll "
       "calculation' --data-subjects Employees \\\n    --personal-data 'Salary and bank "
       "details' --erasure 'Salary and bank details=P3650D' --covers 6:0931... --out rec.json"},
      {"vouch govern key-binding",
       "  vouch enclave quote root-bundle --report-data $(vouch govern key-binding a.pub) "
       "--out a.quote"},
      {"vouch build",
       "  vouch build attest hello --source https://git.example/apps.git@5f1c0a3e... \\\n"
       "    --toolchain toolchain.json --builder-id https://builder-a.example/vouch "
       "--key builder-a.pem --out hello-a.entry"},
      {"vouch build attest",
       "  vouch build attest hello --source https://git.example/apps.git@5f1c0a3e... \\\n"
       "    --ref refs/tags/hello-1.0.0 --toolchain toolchain.json --sbom sbom.spdx.json \\\n"
       "    --builder-id https://builder-a.example/vouch --key builder-a.pem --out hello-a.entry"},
      {"vouch audit",
       "  vouch audit http://127.0.0.1:7381 --policy witness.policy --root-set-pin 5c1e... "
       "--state audit.state\n"
       "  vouch audit replay ledger.jsonl --root-set-pin 5c1e... --origin log.example/vouch\n"
       "  vouch audit export --art30 --register register.json ledger.jsonl --out art30.csv"},
      {"vouch ledger",
       "  vouch ledger submit http://127.0.0.1:7381 adm.entry --policy witness.policy "
       "--out adm.tlog-proof"},
      {"vouch ledger submit",
       "  vouch ledger submit http://127.0.0.1:7381 adm.entry --policy witness.policy "
       "--out adm.tlog-proof\n"
       "  VOUCH_LOG_URL=http://127.0.0.1:7381 VOUCH_POLICY=witness.policy \\\n"
       "    vouch ledger submit set1.entry --out set1.tlog-proof --json"},
      {"vouch ledger countersign",
       "  vouch govern admit --ledger log.example/vouch --role workload --constraint "
       "'C:<MRENCLAVE>' \\\n"
       "      --expires 2027-06-01T00:00:00Z --reproduced-by 3:<SHA256> --reproduced-by 4:<SHA256> "
       "--out adm.json\n"
       "  vouch ledger countersign http://127.0.0.1:7381 adm.json --root http://10.0.0.5:7382 \\\n"
       "      --root http://10.0.1.5:7382 --policy witness.policy --root-set-pin 5c1e... "
       "--out adm.tlog-proof"},
      {"vouch audit replay",
       "  vouch audit replay ledger.jsonl --root-set-pin 5c1e... --origin log.example/vouch\n"
       "  VOUCH_ROOT_SET_PIN=5c1e... vouch audit replay ledger.jsonl --json"},
      {"vouch audit export",
       "  vouch audit export --art30 --register register.json --format csv ledger.jsonl "
       "--out art30.csv"},
      {"vouch audit releases",
       "  vouch audit releases ledger.jsonl --identity 5F2C...\n"
       "  vouch audit releases ledger.jsonl --envelope 00112233445566778899aabbccddeeff --json"},
      {"vouch provision handoff",
       "  vouch enclave run handoff-bundle -- provision handoff --port-file handoff.port \\\n"
       "      --log http://127.0.0.1:7381 --policy witness.policy --root-set-pin 5c1e... \\\n"
       "      --sim-root sim/root_ca.der --collateral coll --lifetime PT10M"},
      {"vouch constraint",
       "  vouch constraint parse \"REVOKE:3 C:<MRENCLAVE>\"\n"
       "  vouch constraint check \"S:<MRSIGNER> PROD:1\" --eii eii.json"},
      {"vouch constraint parse",
       "  vouch constraint parse "
       "\"S:815F42F11CF64430C30BAB7816BA596A1DA0130C3B028B673133A66CF9A3E0E6"
       " PROD:0 SEC:SECURE\"\n"
       "  vouch constraint parse \"PROD:1\" --no-validate --json"},
      {"vouch constraint check",
       "  vouch sgx verify quote.bin --collateral coll/ --eii-out eii.json\n"
       "  vouch constraint check \"S:<MRSIGNER> PROD:0 EXPIRE:P30D\" --eii eii.json\n"
       "  vouch constraint check \"C:<MRENCLAVE>\" --eii examples/eii.json --at "
       "2025-07-19T10:01:17Z"},
      {"vouch sgx",
       "  vouch sgx collateral fetch quote.bin --pccs https://api.trustedservices.intel.com "
       "--out coll/\n"
       "  vouch sgx verify quote.bin --collateral coll/ --constraint \"S:<MRSIGNER> PROD:0\""},
      {"vouch sgx verify",
       "  vouch sgx verify quote.bin --collateral coll/\n"
       "  vouch sgx verify quote.bin --collateral coll/ --at 2025-07-19T10:01:17Z \\\n"
       "      --constraint \"S:<MRSIGNER> PROD:0 SEC:SECURE\" --eii-out eii.json --json\n"
       "  vouch sim collateral --out sim-coll/     # simulated evidence: trust the simulation "
       "root\n"
       "  vouch sgx verify q.bin --collateral sim-coll/ --sim-root sim-coll/root_ca.der"},
      {"vouch sgx collateral",
       "  vouch sgx collateral fetch quote.bin --pccs https://pccs.example:8081 --out coll/"},
      {"vouch sgx collateral fetch",
       "  vouch sgx collateral fetch quote.bin --pccs https://api.trustedservices.intel.com "
       "--out coll/\n"
       "  vouch sgx collateral fetch quote.bin --pccs https://pccs.example:8081 --out coll/ \\\n"
       "      --pck-cert pck.pem --verbose"},
      {"vouch witness", "  vouch witness keygen --name witness.example/w1 --out w1.key"},
      {"vouch witness keygen",
       "  vouch witness keygen --name witness.example/w1 --out w1.key   # prints its vkey\n"
       "  vouch witness keygen --name witness.example/w1 --out w1.key --force --json"},
      {"vouch log",
       "  vouch log add http://127.0.0.1:7381 entry.json\n"
       "  export VOUCH_LOG_URL=http://127.0.0.1:7381 VOUCH_POLICY=witness.policy\n"
       "  vouch log add entry.json && vouch log proof 0 --out entry.tlog-proof\n"
       "  vouch log verify-proof entry.tlog-proof --entry entry.json"},
      {"vouch log keygen",
       "  vouch log keygen --origin log.example/vouch --out log.key > log.vkey"},
      {"vouch log add",
       "  vouch log add http://127.0.0.1:7381 entry.json\n"
       "  VOUCH_LOG_URL=http://127.0.0.1:7381 vouch log add entry.json --json --verbose"},
      {"vouch log checkpoint",
       "  vouch log checkpoint http://127.0.0.1:7381 --vkey \"$(cat log.vkey)\"\n"
       "  vouch log checkpoint http://127.0.0.1:7381 --policy witness.policy --json"},
      {"vouch log proof",
       "  vouch log proof http://127.0.0.1:7381 0 --out entry.tlog-proof\n"
       "  vouch log proof http://127.0.0.1:7381 0 --policy witness.policy --timeout 60"},
      {"vouch log verify-proof",
       "  vouch log verify-proof entry.tlog-proof --entry entry.json --vkey \"$(cat log.vkey)\"\n"
       "  vouch log verify-proof examples/ledger/entry.tlog-proof --entry "
       "examples/ledger/entry.json \\\n"
       "      --policy examples/ledger/witness.policy"},
      {"vouch log audit",
       "  vouch log audit http://127.0.0.1:7381 --vkey \"$(cat log.vkey)\" --state log.state\n"
       "  vouch log audit http://127.0.0.1:7381 --policy witness.policy --state log.state --json"},
      {"vouch serve",
       "  vouch serve log --data log-data/ --key log.key\n"
       "  vouch serve witness --data w1-data/ --key w1.key --log \"log.example/vouch=$(cat "
       "log.vkey)\""},
      {"vouch serve log",
       "  vouch serve log --data log-data/ --key log.key --listen 127.0.0.1:7381\n"
       "  vouch serve log --data log-data/ --key log.key --policy witness.policy \\\n"
       "      --witness \"http://127.0.0.1:7380=$(cat w1.vkey)\""},
      {"vouch serve broker",
       "  vouch enclave run broker-bundle/ --sim-dir /var/lib/vouch-sim -- \\\n"
       "      serve broker --data /var/lib/vouch-broker --log http://127.0.0.1:7381 \\\n"
       "      --policy witness.policy --root-set-pin DIGEST --sim-root root_ca.der \\\n"
       "      --collateral sim-coll/ --port-file /run/vouch-broker.port\n"
       "  curl -s http://127.0.0.1:7383/identity   # keys, binding quote, admission receipt"},
      {"vouch serve explorer",
       "  vouch serve explorer --log http://127.0.0.1:7381 --policy witness.policy \\\n"
       "      --root-set-pin DIGEST --listen 127.0.0.1:7390   # open http://127.0.0.1:7390/\n"
       "  vouch serve explorer --log https://log.example --vkey \"$(cat log.vkey)\""},
      {"vouch serve root",
       "  vouch enclave run root-bundle/ --sim-dir /var/lib/vouch-sim -- \\\n"
       "      serve root --data /var/lib/vouch-root --port-file /run/vouch-root.port\n"
       "  curl -s http://127.0.0.1:7382/identity   # key, keyid, identity, binding quote"},
      {"vouch serve witness",
       "  vouch serve witness --data w1-data/ --key w1.key --listen 127.0.0.1:7380 \\\n"
       "      --log \"log.example/vouch=$(cat log.vkey)\""},
      {"vouch sim",
       "  vouch sim init && vouch sim collateral --out sim-coll/\n"
       "  VOUCH_SIM_DIR=/tmp/sim vouch sim info --json"},
      {"vouch sim init", "  vouch sim init\n  vouch sim init --dir /tmp/sim --force"},
      {"vouch sim info", "  vouch sim info\n  vouch sim info --dir /tmp/sim --json"},
      {"vouch sim collateral",
       "  vouch sim collateral --out sim-coll/\n"
       "  vouch sgx verify q.bin --collateral sim-coll/ --sim-root sim-coll/root_ca.der"},
      {"vouch measure", "  vouch measure app/\n  vouch measure --sigstruct enclave.sig --json"},
      {"vouch enclave",
       "  vouch enclave keygen --out enclave.pem && vouch enclave sign app/ --key enclave.pem\n"
       "  vouch enclave run app/ -- --greeting hello"},
      {"vouch enclave keygen", "  vouch enclave keygen --out enclave.pem"},
      {"vouch enclave sign",
       "  vouch enclave sign app/ --key enclave.pem\n"
       "  vouch enclave sign app/ --key enclave.pem --date 2025-01-31 --json"},
      {"vouch enclave run", "  vouch enclave run app/\n  vouch enclave run app/ -- ARG1 ARG2"},
      {"vouch enclave quote",
       "  vouch enclave quote app/ --report-data 00ff --out q.bin\n"
       "  vouch sim collateral --out sim-coll/\n"
       "  vouch sgx verify q.bin --collateral sim-coll/ --sim-root sim-coll/root_ca.der"},
      {"vouch provision",
       "  vouch provision custodian-keygen --out custodian-a.pem   # and custodian-a.pub.pem\n"
       "  vouch provision inspect secret.env --owner-pub owner.pub"},
      {"vouch provision envelope",
       "  vouch provision envelope --broker http://127.0.0.1:7390 --constraint \"C:$MRENCLAVE\" "
       "\\\n"
       "      --in db-password.txt --out db.env --key owner.pem --log http://127.0.0.1:7380 \\\n"
       "      --policy ledger.policy --root-set-pin $PIN\n"
       "  vouch provision envelope ... --expires 2027-06-30T00:00:00Z --activity payroll-db \\\n"
       "      --recovery c1.pub.pem --recovery c2.pub.pem --recovery c3.pub.pem --threshold 2"},
      {"vouch provision recover",
       "  vouch provision recover db.env --owner-pub owner.pub --custodian-key c1.pem \\\n"
       "      --custodian-key c2.pem --to-constraint \"C:$NEW_MRENCLAVE\" --reason "
       "wrong_measurement \\\n"
       "      --broker http://127.0.0.1:7390 --key owner.pem --out db2.env"},
      {"vouch provision fetch",
       "  vouch enclave run app/ -- provision fetch db.env --broker http://127.0.0.1:7390 \\\n"
       "      --seal-out /data/db.sealed --anchors /app/provision-anchors.json\n"
       "  vouch enclave run app/ -- provision fetch db.env --broker $BROKER --seal-out db.sealed "
       "--json"},
      {"vouch provision unseal",
       "  vouch enclave run app/ -- provision unseal --in /data/db.sealed \\\n"
       "      --envelope-id 00112233445566778899aabbccddeeff --out /run/app/db-password"},
      {"vouch provision custodian-keygen",
       "  vouch provision custodian-keygen --out custodian-a.pem   # prints its keyid\n"
       "  vouch provision custodian-keygen --out keys/c1.pem --pub-out share/c1.pub.pem --json"},
      {"vouch provision inspect",
       "  vouch provision inspect secret.env\n"
       "  vouch provision inspect secret.env --owner-pub owner.pub --at 2027-06-01T00:00:00Z "
       "--json"},
      {"vouch seal",
       "  vouch seal --bundle app/ --policy mrsigner secret.txt secret.sealed\n"
       "  printf 'token' | vouch seal --bundle app/ --policy mrenclave - secret.sealed --json"},
      {"vouch unseal",
       "  vouch unseal --bundle app/ secret.sealed secret.txt\n"
       "  vouch unseal --bundle app/ secret.sealed -     # to standard output (not with --json)"},
  };
  return *table;
}

namespace {

std::string JoinQuoted(const std::vector<std::string>& words, const std::string& quote,
                       const std::string& last = " or ") {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? last : ", ";
    out += quote + words[i] + quote;
  }
  return out;
}

std::vector<std::string> Names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : Subcommands(app)) names.push_back(sub->get_name());
  return names;
}

UsageProblem UnknownCommand(const CLI::App* app, const std::string& word) {
  std::vector<std::string> names = Names(app);
  std::vector<std::string_view> views(names.begin(), names.end());
  std::vector<std::string> near = NearestWords(word, views);
  std::string path = CommandPath(app);
  std::string hint = near.empty() ? "" : "did you mean " + JoinQuoted(near, "'") + "? ";
  hint += "The commands of '" + path + "' are " + JoinQuoted(names, "", " and ") + "; see '" +
          path + " --help'.";
  return {"'" + word + "' is not a command of '" + path + "'", hint};
}

UsageProblem MissingCommand(const CLI::App* app) {
  std::string path = CommandPath(app);
  return {"'" + path + "' needs a command: " + JoinQuoted(Names(app), ""),
          "see '" + path + " --help' for what each does, with examples"};
}

std::optional<UsageProblem> UnknownOption(const CLI::App* app, const std::string& arg) {
  const std::string name = arg.substr(0, arg.find('='));
  if (app->get_option_no_throw(name) != nullptr) return std::nullopt;
  std::vector<std::string> options;
  for (const CLI::Option* opt : app->get_options()) {
    for (const std::string& l : opt->get_lnames()) options.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) options.push_back("-" + s);
  }
  std::vector<std::string_view> views(options.begin(), options.end());
  std::vector<std::string> near = NearestWords(name, views);
  std::string path = CommandPath(app);
  std::string hint = near.empty() ? "" : "did you mean " + JoinQuoted(near, "") + "? ";
  hint += "See '" + path + " --help' for its options.";
  return UsageProblem{"'" + path + "' has no option " + name, hint};
}

bool LooksLikeOption(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9');
}

// A family that is also a command of its own (`vouch audit LOG_URL` beside `vouch audit
// replay`): it takes positional arguments.
bool RunsItself(const CLI::App* app) {
  return !app->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

}  // namespace

std::string HelpFormatter::make_description(const CLI::App* app) const {
  auto it = long_.find(app);
  return it == long_.end() ? CLI::Formatter::make_description(app) : it->second + "\n";
}

void SetLongDescription(CLI::App* cmd, std::string text) {
  if (auto f = std::dynamic_pointer_cast<HelpFormatter>(cmd->get_formatter())) {
    f->SetLongDescription(cmd, std::move(text));
  } else {
    cmd->description(std::move(text));
  }
}

std::vector<CLI::App*> Subcommands(const CLI::App* app) {
  return const_cast<CLI::App*>(app)->get_subcommands(  // NOLINT: CLI11 lacks a const overload
      [](CLI::App*) { return true; });
}

CLI::App* FindSubcommand(const CLI::App* app, std::string_view name) {
  for (CLI::App* sub : Subcommands(app)) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

std::string CommandPath(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* p = app->get_parent(); p != nullptr; p = p->get_parent()) {
    path = p->get_name() + " " + path;
  }
  return path;
}

std::string_view ExamplesFor(std::string_view path) {
  const auto& table = ExampleTable();
  auto it = table.find(path);
  return it == table.end() ? std::string_view() : it->second;
}

void AddExamples(CLI::App& app) {
  std::string_view examples = ExamplesFor(CommandPath(&app));
  if (!examples.empty()) {
    std::string footer = app.get_footer();
    app.footer(footer + (footer.empty() ? "" : "\n\n") + "Examples:\n" + std::string(examples));
  }
  for (CLI::App* sub : Subcommands(&app)) AddExamples(*sub);
}

std::optional<UsageProblem> CheckCommandLine(const CLI::App& root,
                                             const std::vector<std::string>& args) {
  const CLI::App* app = &root;
  size_t i = 0;
  for (; i < args.size() && !Subcommands(app).empty(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return MissingCommand(app);
    const CLI::App* sub = FindSubcommand(app, arg);
    if (sub == nullptr && RunsItself(app)) break;              // its own arguments, checked below
    if (LooksLikeOption(arg)) return UnknownOption(app, arg);  // --help, --version: fine
    if (sub == nullptr) return UnknownCommand(app, arg);
    app = sub;
  }
  if (!Subcommands(app).empty() && !RunsItself(app)) return MissingCommand(app);
  for (; i < args.size() && args[i] != "--"; ++i) {
    if (!LooksLikeOption(args[i])) continue;
    if (auto problem = UnknownOption(app, args[i])) return problem;
  }
  return std::nullopt;
}

HelpTarget FindHelpTarget(const CLI::App& root, const std::vector<std::string>& words) {
  const CLI::App* app = &root;
  for (const std::string& word : words) {
    const CLI::App* sub = FindSubcommand(app, word);
    if (sub == nullptr) {
      if (Subcommands(app).empty()) {
        return {nullptr, UsageProblem{"'" + CommandPath(app) + "' has no commands",
                                      "see 'vouch help " + CommandPath(app).substr(6) + "'"}};
      }
      return {nullptr, UnknownCommand(app, word)};
    }
    app = sub;
  }
  return {app, std::nullopt};
}

namespace {

// `vouch help --man DIR`: the manual pages, written atomically into DIR (created if missing).
int WriteManPages(const CLI::App& root, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return ReportFailure(false, codes::kIoError, "cannot create --man directory",
                         dir + ": " + ec.message());
  }
  std::vector<ManPage> pages = ManPages(root, VOUCH_BUILD_VERSION);
  for (const ManPage& page : pages) {
    if (Status s = WriteFileAtomic(dir + "/" + page.file_name, AsBytes(page.roff), 0644); !s.ok()) {
      return ReportFailure(false, codes::kIoError, "cannot write manual page", s.message());
    }
  }
  std::cout << "wrote " << pages.size() << " manual pages to " << dir << "\n";
  return kExitOk;
}

}  // namespace

void RegisterHelpCommand(CLI::App& root, CommandContext& ctx) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* help = root.add_subcommand("help", "Show the help of a command family or command");
  SetLongDescription(
      help,
      "Shows the help page of a command family or command: its options, exit codes and\n"
      "examples; without COMMAND, the list of families. The same as COMMAND --help.\n"
      "--man DIR writes the manual pages (vouch.1 and one per family, from this same help\n"
      "text); --completion bash prints a bash completion script. The build runs both and\n"
      "`cmake --install` installs them.");
  help->footer(
      "Exit codes: 0 shown or written; 2 no such command (the nearest are suggested) or an\n"
      "unknown --completion shell; 3 a manual page cannot be written.");
  help->add_option("COMMAND", *words, "A family, or a family and a command (e.g. sgx verify)");
  auto man_dir = std::make_shared<std::string>();
  auto shell = std::make_shared<std::string>();
  help->add_option("--man", *man_dir, "Write the manual pages (section 1) into DIR")
      ->type_name("DIR");
  help->add_option("--completion", *shell, "Print the completion script for SHELL (bash)")
      ->type_name("SHELL");
  help->callback([&root, &ctx, words, man_dir, shell] {
    if (!man_dir->empty() || !shell->empty()) {
      if (!words->empty() || (!man_dir->empty() && !shell->empty())) {
        ctx.exit_code = ReportFailure(false, codes::kUsage, "help",
                                      "--man, --completion and COMMAND go one at a time");
        return;
      }
      if (!man_dir->empty()) {
        ctx.exit_code = WriteManPages(root, *man_dir);
        return;
      }
      if (*shell != "bash") {
        ctx.exit_code =
            ReportFailure(false, codes::kUsage, "help", "no completion for shell '" + *shell + "'",
                          "the shells supported: bash");
        return;
      }
      std::cout << BashCompletion(root);
      ctx.exit_code = kExitOk;
      return;
    }
    HelpTarget target = FindHelpTarget(root, *words);
    if (target.problem) {
      ctx.exit_code = ReportFailure(false, codes::kUsage, "help", target.problem->message,
                                    target.problem->hint);
      return;
    }
    // The formatter directly: App::help() would show the page of the parsed `help` command.
    std::cout << target.app->get_formatter()->make_help(target.app, CommandPath(target.app),
                                                        CLI::AppFormatMode::Normal);
    ctx.exit_code = kExitOk;
  });
}

}  // namespace vouch::cli
