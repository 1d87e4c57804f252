// HttpClient over https against a small TLS server on 127.0.0.1 that presents a test
// certificate for "localhost" issued by a test CA (tests/data/http/, TEST ONLY): the chain must
// lead to a trusted CA and the certificate must name the URL's host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <string>
#include <thread>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/http/http_client.h"

namespace vouch::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ::vouch::testing::TestDataPath;

// Serves one request per connection, sequentially, until destroyed.
class TlsTestServer {
 public:
  TlsTestServer() : context_(ssl::context::tls_server), acceptor_(ioc_) {
    context_.use_certificate_chain_file(TestDataPath("http/localhost.pem"));
    context_.use_private_key_file(TestDataPath("http/localhost.key"), ssl::context::pem);
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~TlsTestServer() {
    stop_ = true;
    // Unblock accept() with one last plain connection.
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  void Serve() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (stop_) return;
      if (ec) continue;
      ssl::stream<tcp::socket> stream(std::move(socket), context_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // e.g. the client rejected the certificate
      boost::beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> request;
      bhttp::read(stream, buffer, request, ec);
      if (ec) continue;
      bhttp::response<bhttp::string_body> response{bhttp::status::ok, 11};
      response.body() = "tls ok:" + std::string(request.target());
      response.keep_alive(false);
      response.prepare_payload();
      bhttp::write(stream, response, ec);
    }
  }

  net::io_context ioc_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

ClientOptions TrustTestCa() {
  ClientOptions options;
  options.ca_file = TestDataPath("http/ca.pem");
  options.use_system_ca = false;
  return options;
}

TEST(HttpClientTlsTest, TrustedChainAndMatchingNameSucceed) {
  TlsTestServer server;
  HttpClient client(TrustTestCa());
  StatusOr<HttpResponse> r =
      client.Get("https://localhost:" + std::to_string(server.port()) + "/hello?x=1", {},
                 std::chrono::milliseconds(5000));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "tls ok:/hello?x=1");
}

TEST(HttpClientTlsTest, UntrustedChainFails) {
  TlsTestServer server;
  HttpClient client;  // system CAs only: the test CA is not among them
  const std::string url = "https://localhost:" + std::to_string(server.port()) + "/";
  EXPECT_THAT(client.Get(url, {}, std::chrono::milliseconds(5000)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("certificate")));
}

TEST(HttpClientTlsTest, NameMismatchFails) {
  TlsTestServer server;
  HttpClient client(TrustTestCa());
  // The certificate names "localhost", not the IP address.
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  StatusOr<HttpResponse> r = client.Get(url, {}, std::chrono::milliseconds(5000));
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable, HasSubstr(url)));
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable, HasSubstr("IP address mismatch")));
}

TEST(HttpClientTlsTest, UnreadableCaFileIsReported) {
  ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  HttpClient client(options);
  EXPECT_THAT(client.Get("https://localhost:1/", {}, std::chrono::milliseconds(1000)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("CA file")));
}

}  // namespace
}  // namespace vouch::http
