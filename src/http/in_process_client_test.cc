#include "http/in_process_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace vouch::http {
namespace {

TEST(InProcessClientTest, HandsRequestsToTheRouteOfTheirOrigin) {
  InProcessClient client;
  HttpRequest seen;
  Router router;
  router.HandlePrefix("POST", "/", [&](const HttpRequest& r) {
    seen = r;
    return HttpResponse::Text(201, "made\n");
  });
  client.Route("http://w.test:8080", router);
  auto r = client.Post("http://w.test:8080/add?x=1&y=two%20words", "body", "text/plain",
                       {{"X-Test", "yes"}});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "made\n");
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/add?x=1&y=two%20words");
  EXPECT_EQ(seen.path, "/add");
  EXPECT_EQ(seen.QueryParam("y"), "two words");
  EXPECT_EQ(seen.body, "body");
  EXPECT_EQ(seen.headers.GetOr("Content-Type", ""), "text/plain");
  EXPECT_EQ(seen.headers.GetOr("X-Test", ""), "yes");
  EXPECT_EQ(client.requests("http://w.test:8080"), 1);
  // The router's own answers (405 for another method) come back as they are.
  EXPECT_EQ(client.Get("http://w.test:8080/add")->status, 405);
}

TEST(InProcessClientTest, UnknownOrDownOriginsAreUnreachable) {
  InProcessClient client;
  client.Route("http://up.test", [](const HttpRequest&) { return HttpResponse::Text(200, ""); });
  EXPECT_THAT(client.Get("http://other.test/"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("cannot connect")));
  EXPECT_THAT(client.Get("not a url"), StatusIs(StatusCode::kInvalidArgument));
  client.SetDown("http://up.test", true);
  EXPECT_THAT(client.Get("http://up.test/"), StatusIs(StatusCode::kUnavailable));
  client.SetDown("http://up.test", false);
  EXPECT_THAT(client.Get("http://up.test/"), IsOk());
  EXPECT_EQ(client.requests("http://up.test"), 1);
}

}  // namespace
}  // namespace vouch::http
