// ReportCsv: the bytes every CSV written into a partner's folder shares
// (drop-folders.md "Reports back to the partner"): UTF-8 with a BOM, `;`
// between cells, CRLF after each row, opening as it should in a French
// spreadsheet.
//
// A cell starting with '=', '+', '-', '@', tab or CR gets a leading "'" so
// that a spreadsheet never evaluates it (formula injection); then a cell
// holding ';', '"', CR or LF is quoted ("...", inner quotes doubled).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace passerelle::connectors {

inline constexpr const char* kUtf8Bom = "\xEF\xBB\xBF";

// One cell, guarded and quoted as above.
std::string reportCell(const std::string& text);

// Appends one row: its cells, then CRLF.
void appendReportRow(std::string& out, const std::vector<std::string>& cells);

}  // namespace passerelle::connectors
