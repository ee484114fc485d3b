// scrubUrl: neither the user nor the password of a URL reaches a message or
// a log, whatever the shape of the URL.
#include "connectors/url/scrub_url.h"

#include <doctest/doctest.h>

using passerelle::connectors::scrubUrl;

TEST_CASE("scrubUrl drops user and password") {
  CHECK(scrubUrl("ftp://user:s3cret@ftp.example/cfa/") == "ftp://ftp.example/cfa/");
  CHECK(scrubUrl("ftps://user:pw@host:990/a/") == "ftps://host:990/a/");
  CHECK(scrubUrl("postgresql://passerelle:pw@db.example:5432/offers") ==
        "postgresql://db.example:5432/offers");
}

TEST_CASE("scrubUrl drops a user given without password") {
  CHECK(scrubUrl("ftp://cfa-rennes@ftp.example/cfa/") == "ftp://ftp.example/cfa/");
  CHECK(scrubUrl("ftps://user@host") == "ftps://host");
}

TEST_CASE("scrubUrl leaves a URL without credentials as it is") {
  CHECK(scrubUrl("ftps://ftp.example/cfa/") == "ftps://ftp.example/cfa/");
  CHECK(scrubUrl("ftp://host:21") == "ftp://host:21");
  CHECK(scrubUrl("file:///srv/drop/") == "file:///srv/drop/");
  CHECK(scrubUrl("") == "");
}

TEST_CASE("scrubUrl on odd URLs") {
  // An unescaped '@' in the password: everything up to the last '@' goes.
  CHECK(scrubUrl("ftp://user:p@ss@host/x/") == "ftp://host/x/");
  // An '@' after the authority (path, query, fragment) is no credential.
  CHECK(scrubUrl("ftp://host/in/a@b.csv") == "ftp://host/in/a@b.csv");
  CHECK(scrubUrl("https://host?to=a@b") == "https://host?to=a@b");
  CHECK(scrubUrl("https://host#a@b") == "https://host#a@b");
  // Credentials with nothing after them.
  CHECK(scrubUrl("ftp://user:pw@") == "ftp://");
  // Empty user information.
  CHECK(scrubUrl("ftp://@host/") == "ftp://host/");
  // Not a URL at all: returned as it is (no scheme, nothing to tell apart).
  CHECK(scrubUrl("host/x") == "host/x");
  CHECK(scrubUrl("mailto:someone@example.org") == "mailto:someone@example.org");
}
