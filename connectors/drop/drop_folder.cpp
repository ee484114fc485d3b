#include "connectors/drop/drop_folder.h"

#include "connectors/drop/ftps_drop_folder.h"
#include "connectors/drop/local_drop_folder.h"
#include "connectors/url/scrub_url.h"

namespace passerelle::connectors {

std::unique_ptr<DropFolder> openDropFolder(const DropFolderSettings& settings, const Clock& clock) {
  std::string_view url = settings.url;
  auto scheme_end = url.find("://");
  std::string scheme(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "file") return std::make_unique<LocalDropFolder>(settings.url);
  if (scheme == "ftps") {
    if (settings.tls != DropTls::kImplicit) {
      throw DropFolderError(DropFolderError::Kind::kRefused,
                            scrubUrl(url) + ": ftps:// means implicit TLS");
    }
    return std::make_unique<FtpsDropFolder>(settings, clock);
  }
  if (scheme == "ftp") {
    if (settings.tls == DropTls::kImplicit) {
      throw DropFolderError(DropFolderError::Kind::kRefused,
                            scrubUrl(url) + ": implicit TLS needs an ftps:// URL");
    }
    return std::make_unique<FtpsDropFolder>(settings, clock);
  }
  throw DropFolderError(
      DropFolderError::Kind::kRefused,
      "unsupported drop folder URL (ftps://, ftp:// or file://): " + scrubUrl(url));
}

}  // namespace passerelle::connectors
