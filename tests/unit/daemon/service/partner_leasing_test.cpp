// LeaseBook, with a ManualClock: a daemon polls only the partners it holds,
// stops before its leases could end when they are not renewed, and tells
// the balancing which partners are busy (never given back mid-poll).
#include "daemon/service/partner_leasing.h"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using namespace passerelle;
using daemon::LeaseBalance;
using daemon::LeaseBook;

TEST_CASE("lease book: held partners are polled, others skipped; unrenewed leases let go") {
  connectors::ManualClock clock;
  LeaseBook book(clock);
  CHECK_FALSE(book.begin("p1"));  // nothing held before the first round
  LeaseBalance b;
  b.held = {"p1", "p2"};
  b.expires_at = clock.now() + 120s;  // two intervals of 60 s
  book.update(b);
  CHECK(book.begin("p1"));
  CHECK(book.busy() == std::set<std::string>{"p1"});
  CHECK_FALSE(book.begin("p3"));
  book.done("p1");
  CHECK(book.busy().empty());
  CHECK(book.held() == std::vector<std::string>{"p1", "p2"});
  // No renewal (the store is unreachable): the book lets go a quarter of
  // the lease before its end, before another daemon may take it.
  clock.advance(89s);
  CHECK(book.begin("p2"));
  book.done("p2");
  clock.advance(1s);
  CHECK_FALSE(book.begin("p2"));
  CHECK(book.held().empty());
  // A renewal brings them back.
  b.expires_at = clock.now() + 120s;
  book.update(b);
  CHECK(book.begin("p2"));
}
