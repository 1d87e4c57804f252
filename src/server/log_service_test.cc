// The log's HTTP API over a real loopback server: submissions, tlog-tiles reads with their
// caching headers, receipts, hostile requests, and an audit through LogClient.
#include "vouch/server/log_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "store/memory_log_store.h"
#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/http/http_client.h"
#include "vouch/http/http_server.h"
#include "vouch/ledger/audit.h"
#include "vouch/ledger/log_follower.h"
#include "vouch/server/log_client.h"
#include "vouch/server/log_forwarder.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/tiles.h"

namespace vouch::server {
namespace {

using ledger::AuditLog;
using ledger::AuditOptions;
using ledger::LogReader;
using ledger::Sequencer;
using ledger::SequencerOptions;
using ::testing::Optional;

class LogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Bytes seed(32, 9);
    SequencerOptions o;
    o.batch_interval = std::chrono::microseconds(500);
    seq_ = std::move(
               Sequencer::Start(store_,
                                std::make_shared<tlog::Ed25519NoteSigner>(
                                    *tlog::Ed25519NoteSigner::FromSeed("log.example/http", seed)),
                                RealClock(), o))
               .value();
    reader_ = std::make_unique<LogReader>(store_);
    service_ = std::make_unique<LogService>(*seq_, *reader_);
    http::ServerOptions so;
    so.max_body_bytes = tlog::kMaxEntrySize;
    server_ = std::move(http::HttpServer::Start(so, service_->Routes())).value();
    base_ = "http://" + server_->address();
    log_ = std::make_unique<LogClient>(std::move(LogClient::Create(base_, client_)).value());
    policy_ = std::make_unique<tlog::Policy>(
        *tlog::Policy::Parse("log " + seq_->verifier_key().ToString() + "\nquorum none\n"));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
    seq_->Stop();
  }
  http::HttpResponse Get(const std::string& path) {
    auto r = client_.Get(base_ + path);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : http::HttpResponse{};
  }
  http::HttpResponse Post(const std::string& path, const std::string& body) {
    auto r = client_.Post(base_ + path, body, "application/octet-stream");
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : http::HttpResponse{};
  }

  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<Sequencer> seq_;
  std::unique_ptr<LogReader> reader_;
  std::unique_ptr<LogService> service_;
  std::unique_ptr<http::HttpServer> server_;
  http::HttpClient client_;
  std::string base_;
  std::unique_ptr<LogClient> log_;
  std::unique_ptr<tlog::Policy> policy_;
};

// `response` answers with `content_type` that `entry`, new, is at `index` in a tree of
// `tree_size`.
void ExpectAdded(const http::HttpResponse& response, std::string_view content_type, uint64_t index,
                 std::string_view entry, uint64_t tree_size) {
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.headers.Get("Content-Type"), Optional(content_type));
  EXPECT_EQ(response.body, "{\"index\":" + std::to_string(index) + ",\"leaf_hash\":\"" +
                               Base64Encode(tlog::HashLeaf(AsBytes(entry))) +
                               "\",\"duplicate\":false,\"tree_size\":" + std::to_string(tree_size) +
                               "}\n");
}

TEST_F(LogServiceTest, AddReturnsIndexAndLeafHash) {
  auto a = log_->Add(AsBytes("first"));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->index, 0u);
  EXPECT_EQ(a->leaf_hash, tlog::HashLeaf(AsBytes("first")));
  EXPECT_FALSE(a->duplicate);
  EXPECT_EQ(a->tree_size, 1u);
  auto b = log_->Add(AsBytes("second"));
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->index, 1u);
  auto again = log_->Add(AsBytes("first"));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->index, 0u);
  EXPECT_TRUE(again->duplicate);

  ExpectAdded(Post("/add", "third"), "application/json", 2, "third", 3);
}

TEST_F(LogServiceTest, ABatchIsSequencedEntryByEntryInOrder) {
  ASSERT_THAT(log_->Add(AsBytes("already")), IsOk());
  const std::vector<std::string> texts = {"b0", "already", "b2", "b0"};
  std::vector<ByteSpan> entries;
  for (const std::string& t : texts) entries.push_back(AsBytes(t));
  auto results = log_->AddBatch(entries);
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 4u);
  for (const auto& r : *results) ASSERT_THAT(r, IsOk());
  EXPECT_EQ((*results)[0]->index, 1u);
  EXPECT_FALSE((*results)[0]->duplicate);
  EXPECT_EQ((*results)[1]->index, 0u);  // stored before
  EXPECT_TRUE((*results)[1]->duplicate);
  EXPECT_EQ((*results)[2]->index, 2u);
  EXPECT_EQ((*results)[3]->index, 1u);  // the same entry twice in one batch: stored once
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ((*results)[i]->leaf_hash, tlog::HashLeaf(AsBytes(texts[i]))) << i;
  }
  EXPECT_EQ(seq_->Latest()->size(), 3u);

  // On the wire: an entry bundle in, one /add object per line out.
  std::vector<ByteSpan> one = {AsBytes("b4")};
  Bytes bundle = *tlog::EncodeEntryBundle(one);
  ExpectAdded(Post("/add-batch", std::string(AsStringView(bundle))), "application/x-ndjson", 3,
              "b4", 4);
}

TEST_F(LogServiceTest, BadBatchesAreRefusedWithAReasonAndChangeNothing) {
  EXPECT_EQ(Post("/add-batch", "").status, 400);
  http::HttpResponse truncated = Post("/add-batch", std::string("\x00\x05"
                                                                "abc",
                                                                5));
  EXPECT_EQ(truncated.status, 400);
  EXPECT_THAT(truncated.body, HasSubstr("entry bundle"));
  http::HttpResponse empty_entry = Post("/add-batch", std::string("\x00\x01x\x00\x00", 5));
  EXPECT_EQ(empty_entry.status, 400);
  EXPECT_THAT(empty_entry.body, HasSubstr("entry 1 of the batch is empty"));
  std::string too_many;
  for (int i = 0; i < 257; ++i) too_many += std::string("\x00\x01", 2) + static_cast<char>(i);
  EXPECT_EQ(Post("/add-batch", too_many).status, 400);
  // Over the server's body limit (65,535 bytes for the log): 413 before anything is read.
  std::string big = std::string("\xff\xff", 2) + std::string(65535, 'x');
  EXPECT_EQ(Post("/add-batch", big).status, 413);
  EXPECT_EQ(Get("/add-batch").status, 405);
  std::vector<ByteSpan> none;
  EXPECT_THAT(log_->AddBatch(none), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(seq_->Latest()->size(), 0u);
}

TEST_F(LogServiceTest, ABatchNoEntryOfWhichIsSequencedIs503) {
  seq_->Stop();
  std::vector<ByteSpan> entries = {AsBytes("a"), AsBytes("b")};
  http::HttpResponse raw =
      Post("/add-batch", std::string(AsStringView(*tlog::EncodeEntryBundle(entries))));
  EXPECT_EQ(raw.status, 503);
  EXPECT_TRUE(raw.headers.Get("Retry-After").has_value());
  EXPECT_THAT(log_->AddBatch(entries), StatusIs(StatusCode::kUnavailable));
}

TEST(AddBatchResponseTest, ParsesEntriesAndErrorsAndRejectsGarbage) {
  AddResponse ok{0, tlog::HashLeaf(AsBytes("x")), false, 1};
  const std::string body = FormatAddResponse(ok) + FormatAddError(kBatchEntryBusy, "busy") +
                           FormatAddError(kBatchEntryTimeout, "slow");
  auto parsed = ParseAddBatchResponse(body, 3);
  ASSERT_THAT(parsed, IsOk());
  ASSERT_THAT((*parsed)[0], IsOk());
  EXPECT_EQ((*parsed)[0]->leaf_hash, ok.leaf_hash);
  EXPECT_THAT((*parsed)[1], StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT((*parsed)[1], ReasonIs("log_busy"));
  EXPECT_THAT((*parsed)[2], StatusIs(StatusCode::kDeadlineExceeded));
  for (size_t count : {2u, 4u}) {
    EXPECT_THAT(ParseAddBatchResponse(body, count), ReasonIs("add_response_malformed")) << count;
  }
  for (const char* bad :
       {"{}\n", "garbage\n", "{\"error\":1,\"message\":\"m\"}\n", "{\"error\":\"log_busy\"}\n",
        "{\"error\":\"x\",\"message\":\"m\",\"y\":0}\n"}) {
    EXPECT_THAT(ParseAddBatchResponse(bad, 1), ReasonIs("add_response_malformed")) << bad;
  }
  EXPECT_THAT(ParseAddBatchResponse(FormatAddResponse(ok).substr(0, 10), 1),
              ReasonIs("add_response_malformed"));
}

TEST_F(LogServiceTest, ConcurrentAddsAreAllSequenced) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (log_->Add(AsBytes("c" + std::to_string(t) + "-" + std::to_string(i))).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(seq_->Latest()->size(), 200u);
}

TEST_F(LogServiceTest, BadSubmissionsAreRefusedWithAReasonAndChangeNothing) {
  http::HttpResponse empty = Post("/add", "");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr("empty entry"));
  http::HttpResponse big = Post("/add", std::string(65536, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_THAT(big.body, HasSubstr("65535"));
  EXPECT_EQ(Post("/add", std::string(65535, 'x')).status, 200);
  EXPECT_EQ(Get("/add").status, 405);
  EXPECT_EQ(Post("/checkpoint", "x").status, 405);
  EXPECT_THAT(log_->Add(AsBytes("")), ReasonIs("entry_rejected"));
  EXPECT_EQ(seq_->Latest()->size(), 1u);
}

TEST_F(LogServiceTest, CheckpointIsSignedAndBrieflyCacheable) {
  ASSERT_THAT(log_->Add(AsBytes("x")), IsOk());
  http::HttpResponse r = Get("/checkpoint");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.headers.Get("Content-Type"),
              Optional(std::string_view("text/plain; charset=utf-8")));
  EXPECT_THAT(r.headers.Get("Cache-Control"), Optional(kCacheCheckpoint));
  auto cp = tlog::SignedCheckpoint::Parse(r.body);
  ASSERT_THAT(cp, IsOk());
  EXPECT_THAT(policy_->VerifyCheckpoint(*cp), IsOk());
  EXPECT_EQ(cp->checkpoint().size(), 1u);
  EXPECT_EQ(cp->checkpoint().origin(), "log.example/http");
}

TEST_F(LogServiceTest, TilesAndBundlesWithTheirCachingHeaders) {
  for (int i = 0; i < 300; ++i) ASSERT_THAT(log_->Add(AsBytes("e" + std::to_string(i))), IsOk());
  http::HttpResponse full = Get("/tile/0/000");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body.size(), 8192u);
  EXPECT_THAT(full.headers.Get("Cache-Control"), Optional(kCacheImmutable));
  EXPECT_THAT(full.headers.Get("Content-Type"),
              Optional(std::string_view("application/octet-stream")));
  http::HttpResponse partial = Get("/tile/0/001.p/44");
  EXPECT_EQ(partial.status, 200);
  EXPECT_EQ(partial.body.size(), 44u * 32);
  EXPECT_THAT(partial.headers.Get("Cache-Control"), Optional(kCachePartial));
  http::HttpResponse level1 = Get("/tile/1/000.p/1");
  EXPECT_EQ(level1.status, 200);
  EXPECT_EQ(level1.body.size(), 32u);
  http::HttpResponse bundle = Get("/tile/entries/000");
  EXPECT_EQ(bundle.status, 200);
  auto entries = tlog::ParseEntryBundle(AsBytes(bundle.body), 256);
  ASSERT_THAT(entries, IsOk());
  EXPECT_EQ(AsStringView((*entries)[7]), "e7");
  EXPECT_THAT(bundle.headers.Get("Cache-Control"), Optional(kCacheImmutable));
  http::HttpResponse pbundle = Get("/tile/entries/001.p/44");
  EXPECT_EQ(pbundle.status, 200);
  EXPECT_THAT(pbundle.headers.Get("Cache-Control"), Optional(kCachePartial));
  // HEAD works through the GET handler.
  auto head = client_.Send("HEAD", base_ + "/tile/0/000", "", "", {}, http::kDefaultClientTimeout);
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->status, 200);
}

TEST_F(LogServiceTest, ARangeOfATileIsServedAsAsked) {
  for (int i = 0; i < 300; ++i) ASSERT_THAT(log_->Add(AsBytes("e" + std::to_string(i))), IsOk());
  const std::string whole = Get("/tile/entries/001.p/44").body;
  auto ranged = [&](const std::string& range) {
    auto r = client_.Get(base_ + "/tile/entries/001.p/44", {{"Range", range}});
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : http::HttpResponse{};
  };
  http::HttpResponse tail = ranged("bytes=10-");
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, whole.substr(10));
  EXPECT_THAT(tail.headers.Get("Content-Range"),
              Optional("bytes 10-" + std::to_string(whole.size() - 1) + "/" +
                       std::to_string(whole.size())));
  EXPECT_THAT(tail.headers.Get("Cache-Control"), Optional(kCachePartial));
  http::HttpResponse past = ranged("bytes=" + std::to_string(whole.size()) + "-");
  EXPECT_EQ(past.status, 416);
  EXPECT_THAT(past.headers.Get("Content-Range"),
              Optional("bytes */" + std::to_string(whole.size())));
  EXPECT_EQ(ranged("bytes=0-1,5-6").body, whole);  // ignored: the whole tile

  // The client: the new entries of a partial bundle, from the length read before.
  const size_t first_43 = whole.size() - 6;  // entry 299, "e299", is 2 + 4 bytes
  auto from = log_->FetchTileFrom(tlog::TileId::Bundle(1, 44), first_43);
  ASSERT_THAT(from, IsOk());
  auto last = tlog::ParseEntryBundle(*from, 1);
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(AsStringView((*last)[0]), "e299");
  EXPECT_THAT(log_->FetchTileFrom(tlog::TileId::Bundle(1, 44), whole.size()),
              StatusIs(StatusCode::kOutOfRange));
}

TEST_F(LogServiceTest, GarbageAndUnjustifiedTilePathsAreRefused) {
  for (int i = 0; i < 10; ++i) ASSERT_THAT(log_->Add(AsBytes("e" + std::to_string(i))), IsOk());
  struct Case {
    std::string path;
    int status;
  } cases[] = {
      {"/tile/0/000.p/11", 404},  // wider than the tree
      {"/tile/0/000", 404},       // not full yet
      {"/tile/0/001.p/1", 404},   // beyond the tree
      {"/tile/1/000.p/1", 404},   // level 1 does not exist yet
      {"/tile/9/000", 404},       // no tree has level 9 tiles... but it is well formed
      {"/tile/entries/000.p/11", 404},
      {"/tile/0/00", 400},         // index not 3 digits
      {"/tile/0/x000/001", 400},   // leading x000
      {"/tile/00/000", 400},       // level with a leading zero
      {"/tile/64/000", 400},       // level out of range
      {"/tile/0/000.p/0", 400},    // width 0
      {"/tile/0/000.p/256", 400},  // width 256 is not partial
      {"/tile/0/000.p/", 400},
      {"/tile/0/000/", 400},
      {"/tile/0/%30%30%30", 400},  // no percent-decoding
      {"/tile/0/../0/000", 400},
      {"/tile/", 400},
      {"/tile/entries", 400},        // no index
      {"/tile/0/000.p/5?x=1", 200},  // queries are ignored
      {"/tile/0/000.p/5", 200},
  };
  for (const Case& c : cases) {
    http::HttpResponse r = Get(c.path);
    EXPECT_EQ(r.status, c.status) << c.path << ": " << r.body;
    if (c.status >= 400) {
      EXPECT_FALSE(r.body.empty()) << c.path;
      EXPECT_THAT(r.headers.Get("Cache-Control"), Optional(kCacheNone)) << c.path;
    }
  }
  EXPECT_EQ(seq_->Latest()->size(), 10u);
}

TEST_F(LogServiceTest, ProofsAreReceiptsThatVerify) {
  for (int i = 0; i < 20; ++i) ASSERT_THAT(log_->Add(AsBytes("e" + std::to_string(i))), IsOk());
  auto text = log_->FetchProof(13);
  ASSERT_THAT(text, IsOk());
  auto file = tlog::ProofFile::Parse(*text);
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ(file->index(), 13u);
  EXPECT_THAT(file->VerifyEntry(AsBytes("e13"), *policy_), IsOk());
  EXPECT_FALSE(file->VerifyEntry(AsBytes("e14"), *policy_).ok());
  EXPECT_THAT(log_->FetchProof(20), StatusIs(StatusCode::kNotFound));
  for (const char* path : {"/proof/", "/proof/013", "/proof/-1", "/proof/1x", "/proof/+1",
                           "/proof/99999999999999999999", "/proof/1/"}) {
    EXPECT_EQ(Get(path).status, 400) << path;
  }
  EXPECT_EQ(Get("/proof/9223372036854775807").status, 404);
}

TEST_F(LogServiceTest, AnAuditThroughTheClientPasses) {
  for (int i = 0; i < 600; ++i) ASSERT_THAT(log_->Add(AsBytes("e" + std::to_string(i))), IsOk());
  AuditOptions o;
  o.policy = policy_.get();
  auto r = AuditLog(*log_, o);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->checkpoint.size(), 600u);
  EXPECT_EQ(r->bundles, 3u);

  // Resumed over HTTP, reading only the partial bundle's new entries.
  std::vector<uint64_t> handed;
  for (int i = 600; i < 610; ++i) ASSERT_THAT(log_->Add(AsBytes("e" + std::to_string(i))), IsOk());
  o.trusted = r->checkpoint;
  o.resume = r->range;
  o.resume_bundle_bytes = r->tip_bundle_bytes;
  o.on_entry = [&](uint64_t index, ByteSpan entry) {
    EXPECT_EQ(AsStringView(entry), "e" + std::to_string(index));
    handed.push_back(index);
    return OkStatus();
  };
  auto resumed = AuditLog(*log_, o);
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(handed.size(), 10u);
  EXPECT_EQ(resumed->tip_bundle_bytes, Get("/tile/entries/002.p/98").body.size());
}

TEST_F(LogServiceTest, AnUnreachableLogIsUnavailable) {
  // (Destroyed, not just stopped: a stopped HttpServer keeps idle keep-alive sockets open until
  // it is destroyed, and this client has one pooled.)
  server_.reset();
  EXPECT_THAT(log_->FetchCheckpoint(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(log_->Add(AsBytes("x")), StatusIs(StatusCode::kUnavailable));
}

TEST(LogClientTest, RejectsBadBaseUrls) {
  http::HttpClient client;
  EXPECT_THAT(LogClient::Create("ftp://x", client), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LogClient::Create("not a url", client), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LogClient::Create("http://x/?q=1", client), StatusIs(StatusCode::kInvalidArgument));
  auto ok = LogClient::Create("http://127.0.0.1:1/prefix///", client);
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->base_url(), "http://127.0.0.1:1/prefix");
}

TEST(AddResponseTest, RoundTripsAndRejectsGarbage) {
  AddResponse r{5, tlog::HashLeaf(AsBytes("x")), true, 9};
  auto parsed = ParseAddResponse(FormatAddResponse(r));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->index, 5u);
  EXPECT_EQ(parsed->leaf_hash, r.leaf_hash);
  EXPECT_TRUE(parsed->duplicate);
  EXPECT_EQ(parsed->tree_size, 9u);
  for (const char* bad :
       {"", "[]", "{}", "{\"index\":1}", "not json",
        "{\"index\":-1,\"leaf_hash\":\"\",\"duplicate\":false,\"tree_size\":2}",
        "{\"index\":1,\"leaf_hash\":\"AAAA\",\"duplicate\":false,\"tree_size\":2}",
        "{\"index\":3,\"leaf_hash\":\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\","
        "\"duplicate\":false,\"tree_size\":2}",
        "{\"index\":1,\"leaf_hash\":\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\","
        "\"duplicate\":0,\"tree_size\":2}",
        "{\"index\":1,\"leaf_hash\":\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\","
        "\"duplicate\":false,\"tree_size\":2,\"x\":1}"}) {
    EXPECT_THAT(ParseAddResponse(bad), ReasonIs("add_response_malformed")) << bad;
  }
}

// A standby (docs/postgres.md, "Several front-ends"): the same API over the tree it follows in
// the store, submissions forwarded to the service that advertised itself there, the checkpoint
// forwarded too when it asks for that (a witnessed log).
TEST_F(LogServiceTest, AStandbyServesTheTreeAndForwardsSubmissions) {
  ledger::LogFollowerOptions follow;
  follow.max_age = std::chrono::milliseconds(0);
  auto follower = ledger::LogFollower::Open(store_, seq_->verifier_key(), RealClock(), follow);
  ASSERT_THAT(follower, IsOk());
  LogForwarder forwarder(store_, client_, RealClock());
  EXPECT_THAT(forwarder.Add(AsBytes("early"), std::chrono::seconds(5)),
              StatusIs(StatusCode::kUnavailable, ::testing::HasSubstr("none has advertised")));
  ASSERT_THAT(store_->AdvertiseSequencer(base_ + "/"), IsOk());

  LogService standby(
      forwarder, [&follower] { return (*follower)->Latest(); }, *reader_);
  http::Router routes = standby.Routes();
  routes.Handle("GET", "/checkpoint",
                [&forwarder](const http::HttpRequest& r) { return forwarder.ForwardGet(r); });
  http::ServerOptions so;
  so.max_body_bytes = tlog::kMaxEntrySize;
  auto server = http::HttpServer::Start(so, routes);
  ASSERT_THAT(server, IsOk());
  const std::string standby_base = "http://" + (*server)->address();
  auto via_standby = LogClient::Create(standby_base, client_);
  ASSERT_THAT(via_standby, IsOk());

  auto added = via_standby->Add(AsBytes("forwarded"));
  ASSERT_THAT(added, IsOk());
  EXPECT_EQ(added->index, 0u);
  auto again = log_->Add(AsBytes("forwarded"));  // at the holder: the same entry, deduplicated
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->index, 0u);
  std::vector<ByteSpan> batch = {AsBytes("b1"), AsBytes("b2"), AsBytes("forwarded")};
  auto batched = via_standby->AddBatch(batch);
  ASSERT_THAT(batched, IsOk());
  ASSERT_EQ(batched->size(), 3u);
  EXPECT_TRUE((*batched)[2].ok() && (*batched)[2]->duplicate && (*batched)[2]->index == 0);

  // Reads: the tree read from the store, identical to the holder's.
  EXPECT_EQ(via_standby->FetchCheckpoint().value(), log_->FetchCheckpoint().value());
  auto tile = tlog::TileId::Bundle(0, 3);
  EXPECT_EQ(via_standby->FetchTile(tile).value(), log_->FetchTile(tile).value());
  EXPECT_EQ(via_standby->FetchProof(2).value(), log_->FetchProof(2).value());
  auto empty = client_.Post(standby_base + "/add", "", "application/octet-stream");
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->status, 400);

  // The holder gone from the advertised URL: 503 to try again, and the URL read again next time.
  ASSERT_THAT(store_->AdvertiseSequencer("http://127.0.0.1:1"), IsOk());
  LogForwarder stale(store_, client_, RealClock());
  EXPECT_THAT(stale.Add(AsBytes("lost"), std::chrono::seconds(5)),
              StatusIs(StatusCode::kUnavailable));
  http::HttpRequest get;
  get.method = "GET";
  get.target = get.path = "/checkpoint";
  EXPECT_EQ(stale.ForwardGet(get).status, 503);
  ASSERT_THAT(store_->AdvertiseSequencer(base_), IsOk());
  EXPECT_THAT(stale.Add(AsBytes("found"), std::chrono::seconds(5)), IsOk());
  EXPECT_EQ(stale.ForwardGet(get).body, log_->FetchCheckpoint().value());
  (*server)->Stop();
}

}  // namespace
}  // namespace vouch::server
