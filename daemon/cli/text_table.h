// TextTable: the readable tables the operator commands print by default
// (runs, rejects, offers, status): columns padded to their widest cell.
//
// Thread safety: pure function writing to standard output.
#pragma once

#include <string>
#include <vector>

namespace passerelle::daemon {

void printTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace passerelle::daemon
