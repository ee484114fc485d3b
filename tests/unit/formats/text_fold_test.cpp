// Tests of formats/text_fold.h against shared/specs/offer.md ("Text
// normalisation").
#include "formats/text_fold.h"

#include <doctest/doctest.h>

#include <string>

namespace passerelle::formats {

// UTF-8 spellings used below, named for readability.
namespace {
constexpr const char* kNbsp = "\xC2\xA0";        // U+00A0
constexpr const char* kNnbsp = "\xE2\x80\xAF";   // U+202F narrow no-break space
constexpr const char* kZwsp = "\xE2\x80\x8B";    // U+200B zero width space
constexpr const char* kBom = "\xEF\xBB\xBF";     // U+FEFF
constexpr const char* kNel = "\xC2\x85";         // U+0085 (C1 control)
constexpr const char* kIdeoSp = "\xE3\x80\x80";  // U+3000
constexpr const char* kMmsp = "\xE2\x81\x9F";    // U+205F

std::string cat(std::initializer_list<std::string> parts) {
  std::string s;
  for (const auto& p : parts) s += p;
  return s;
}
}  // namespace

TEST_CASE("isFoldWhiteSpace: exactly the spec's set") {
  for (char32_t cp = 0; cp < 0x3100; ++cp) {
    CAPTURE(static_cast<unsigned>(cp));
    const bool expected = (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 ||
                          (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
                          cp == 0x3000;
    CHECK(isFoldWhiteSpace(cp) == expected);
  }
  CHECK_FALSE(isFoldWhiteSpace(0x200B));
  CHECK_FALSE(isFoldWhiteSpace(0xFEFF));
  CHECK_FALSE(isFoldWhiteSpace(0x2028));
}

TEST_CASE("isRemovedCharacter: controls that are not white space, U+200B, U+FEFF") {
  for (char32_t cp = 0; cp < 0x100; ++cp) {
    CAPTURE(static_cast<unsigned>(cp));
    const bool control = cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F);
    CHECK(isRemovedCharacter(cp) == (control && !isFoldWhiteSpace(cp)));
  }
  CHECK(isRemovedCharacter(0x200B));
  CHECK(isRemovedCharacter(0xFEFF));
  CHECK_FALSE(isRemovedCharacter(0x0A));
  CHECK_FALSE(isRemovedCharacter(0x20));
  CHECK_FALSE(isRemovedCharacter(0x200A));
  CHECK_FALSE(isRemovedCharacter(U'é'));
}

TEST_CASE("foldSingleLine: white-space runs become one space, trimmed") {
  CHECK(foldSingleLine("Vendeur en boulangerie") == "Vendeur en boulangerie");
  CHECK(foldSingleLine("  Vendeur\t en  boulangerie \r\n") == "Vendeur en boulangerie");
  CHECK(foldSingleLine("a\nb\r\nc\rd\ve\ff") == "a b c d e f");
  CHECK(foldSingleLine(cat({"12", kNbsp, "rue", kNnbsp, "de", kIdeoSp, "la", kMmsp, "Paix"})) ==
        "12 rue de la Paix");
  CHECK(foldSingleLine(cat({kNbsp, "x", kNbsp, kNbsp, " ", kNnbsp})) == "x");
  for (int b = 0x80; b <= 0x8A; ++b) {  // U+2000-U+200A.
    const std::string sp = cat({"\xE2\x80", std::string(1, static_cast<char>(b))});
    CHECK(foldSingleLine(cat({"a", sp, "b", sp})) == "a b");
  }
  CHECK(foldSingleLine("") == "");
  CHECK(foldSingleLine(" \t\r\n ") == "");
  CHECK(foldSingleLine(cat({kNbsp, kIdeoSp})) == "");
}

TEST_CASE("foldSingleLine: removed characters are dropped before folding") {
  CHECK(foldSingleLine(cat({"ab", kZwsp, "c"})) == "abc");
  CHECK(foldSingleLine(cat({kBom, "OFF-1", kBom})) == "OFF-1");
  CHECK(foldSingleLine(cat({"a", kNel, "b"})) == "ab");
  CHECK(foldSingleLine(std::string("a\0b\x01\x1F\x7F"
                                   "c",
                                   7)) == "abc");
  CHECK(foldSingleLine("a \x01 b") == "a b");  // The run stays one run.
  CHECK(foldSingleLine(cat({" ", kZwsp, " x ", kZwsp})) == "x");
  CHECK(foldSingleLine(cat({"\xC2\x9F", "y"})) == "y");  // U+009F.
}

TEST_CASE("foldSingleLine: other characters are kept as they are") {
  // Characters whose lead bytes are also those of white space or removed ones.
  const std::string kept = "© ’ € … \xE2\x80\xA8 \xE3\x80\x81 \xEF\xBC\x81 \xC2\xA9 日本 😀 é";
  CHECK(foldSingleLine(kept) == kept);
}

TEST_CASE("foldSingleLine: the out overload reuses the caller's buffer") {
  std::string out(200, 'z');
  const std::size_t capacity = out.capacity();
  const char* data = out.data();
  foldSingleLine("  Bac   Pro ", out);
  CHECK(out == "Bac Pro");
  foldSingleLine("", out);
  CHECK(out.empty());
  foldSingleLine(" x", out);
  CHECK(out == "x");
  CHECK(out.capacity() == capacity);
  CHECK(out.data() == data);
}

TEST_CASE("foldDescription: line breaks") {
  CHECK(foldDescription("a\r\nb") == "a\nb");
  CHECK(foldDescription("a\rb") == "a\nb");
  CHECK(foldDescription("a\nb") == "a\nb");
  CHECK(foldDescription("a\r\rb") == "a\n\nb");
  CHECK(foldDescription("a\r\r\nb") == "a\n\nb");  // Lone CR then CRLF.
  CHECK(foldDescription("a\n\r\nb") == "a\n\nb");
  CHECK(foldDescription("a\n\nb") == "a\n\nb");
  CHECK(foldDescription("a\n\n\nb") == "a\n\nb");
  CHECK(foldDescription("a\r\n\r\n\r\n\r\nb") == "a\n\nb");
  CHECK(foldDescription("a\n\n\n\n\n\nb\n\n\nc") == "a\n\nb\n\nc");
}

TEST_CASE("foldDescription: removed characters do not break CRLF") {
  CHECK(foldDescription(std::string("a\r\0\nb", 5)) == "a\nb");
  CHECK(foldDescription(cat({"a\r", kZwsp, "\nb"})) == "a\nb");
}

TEST_CASE("foldDescription: trailing spaces removed, leading kept") {
  CHECK(foldDescription("a   \nb") == "a\nb");
  CHECK(foldDescription("a\t\n  b") == "a\n  b");
  CHECK(foldDescription("Missions :\n  - vente\n  - caisse  ") ==
        "Missions :\n  - vente\n  - caisse");
  CHECK(foldDescription(cat({"a", kNbsp, kNnbsp, "\r\n", kNbsp, "b"})) == "a\n b");
}

TEST_CASE("foldDescription: lines of white space only become empty and fold") {
  CHECK(foldDescription("a\n  \n\n\nb") == "a\n\nb");
  CHECK(foldDescription("a\n \t \n b") == "a\n\n b");
  CHECK(foldDescription(cat({"a\n", kNbsp, "\n", kIdeoSp, "\nb"})) == "a\n\nb");
  CHECK(foldDescription("a\n\t\n\t\n\t\nb") == "a\n\nb");
}

TEST_CASE("foldDescription: other white space becomes one space each (no run folding)") {
  CHECK(foldDescription("a\tb") == "a b");
  CHECK(foldDescription("a\t\tb") == "a  b");
  CHECK(foldDescription("a\v\fb") == "a  b");
  CHECK(foldDescription(cat({"a", kNbsp, "b", kNnbsp, "c", kMmsp, "d"})) == "a b c d");
  CHECK(foldDescription("a  b") == "a  b");
}

TEST_CASE("foldDescription: whole text trimmed, removed characters dropped") {
  CHECK(foldDescription("\r\n\n  \t a\nb \n\n\n ") == "a\nb");
  CHECK(foldDescription(cat({kBom, "\n  Au sein", kZwsp, " de", kNel, "\n"})) == "Au sein de");
  CHECK(foldDescription(" \n\r\t ") == "");
  CHECK(foldDescription("") == "");
  CHECK(foldDescription(std::string("x\0y", 3)) == "xy");
}

TEST_CASE("foldDescription: the out overload reuses the caller's buffer") {
  std::string out(100, '#');
  const char* data = out.data();
  foldDescription("  a \r\n\r\n\r\n b  ", out);
  CHECK(out == "a\n\n b");
  CHECK(out.data() == data);
}

TEST_CASE("folds accept their own output buffer as input") {
  std::string s = "  a \t b\r\n\r\n\r\n  c  ";
  foldDescription(s, s);
  CHECK(s == "a   b\n\n  c");
  foldSingleLine(s, s);
  CHECK(s == "a b c");
  // Longer than a block (byte_block.h): the folds copy the text first.
  std::string text = "  Au sein de notre établissement  \r\n\r\n\r\n  vous serez encadré  ";
  foldDescription(text, text);
  CHECK(text == "Au sein de notre établissement\n\n  vous serez encadré");
  foldSingleLine(text, text);
  CHECK(text == "Au sein de notre établissement vous serez encadré");
}

TEST_CASE("foldDescription: long text") {
  std::string in;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    in += "Au sein de l’équipe\t,   vous  \r\n\r\n\r\n";
    expected += "Au sein de l’équipe ,   vous\n\n";
  }
  expected.resize(expected.size() - 2);
  CHECK(foldDescription(in) == expected);
}

TEST_CASE("trimWhiteSpace: spec white space at both ends, nothing else") {
  CHECK(trimWhiteSpace("  OFF-1 ") == "OFF-1");
  CHECK(trimWhiteSpace(cat({kNbsp, "\t", kNnbsp, "OFF 1", kIdeoSp, "\r\n", kMmsp, kNbsp})) ==
        "OFF 1");
  CHECK(trimWhiteSpace("\xE2\x80\x80x\xE2\x80\x8A") == "x");
  CHECK(trimWhiteSpace("  \t") == "");
  CHECK(trimWhiteSpace("") == "");
  CHECK(trimWhiteSpace("Ref") == "Ref");
  CHECK(trimWhiteSpace("a  b") == "a  b");
  // Removed characters are not white space: trimWhiteSpace leaves them.
  CHECK(trimWhiteSpace(cat({kZwsp, "x"})) == cat({kZwsp, "x"}));
  CHECK(trimWhiteSpace(cat({"x", kBom})) == cat({"x", kBom}));
  // Characters ending in a white-space-looking byte are kept.
  CHECK(trimWhiteSpace(" €") == "€");
  CHECK(trimWhiteSpace("é ") == "é");
  CHECK(trimWhiteSpace("\xE2\x80\xA8") == "\xE2\x80\xA8");  // U+2028 is not in the set.
  CHECK(trimWhiteSpace("\xE3\x80\x81") == "\xE3\x80\x81");
}

TEST_CASE("hasControlCharacter") {
  CHECK_FALSE(hasControlCharacter(""));
  CHECK_FALSE(hasControlCharacter("OFF-2026-0042"));
  CHECK_FALSE(hasControlCharacter("équipe € 😀"));
  CHECK_FALSE(hasControlCharacter(kNbsp));
  CHECK_FALSE(hasControlCharacter("\xC2\xA9"));
  CHECK(hasControlCharacter(std::string("a\0", 2)));
  CHECK(hasControlCharacter("a\tb"));
  CHECK(hasControlCharacter("a\n"));
  CHECK(hasControlCharacter("\x1F"));
  CHECK(hasControlCharacter("\x7F"));
  CHECK(hasControlCharacter(cat({"x", kNel})));
  CHECK(hasControlCharacter("\xC2\x80"));
  CHECK(hasControlCharacter("\xC2\x9F"));
  CHECK_FALSE(hasControlCharacter(kZwsp));  // Removed, but not a control character.
}

TEST_CASE("codeKey: spec examples") {
  CHECK(codeKey("Contrat d’apprentissage") == "contrat d'apprentissage");
  CHECK(codeKey("  INGÉNIEUR ") == "ingenieur");
  CHECK(codeKey("Bac Pro") == "bac pro");
  CHECK(codeKey("Contrat d‘apprentissage") == "contrat d'apprentissage");
  CHECK(codeKey("Contrat  de\tprofessionnalisation") == "contrat de professionnalisation");
  CHECK(codeKey(cat({"Oui", kNbsp})) == "oui");
  CHECK(codeKey("Ville / Département") == "ville / departement");
}

TEST_CASE("codeKey: Latin letters lose case and accents") {
  CHECK(codeKey("ÀÁÂÃÄÅàáâãäå") == "aaaaaaaaaaaa");
  CHECK(codeKey("ÇçÈÉÊËèéêëÌÍÎÏìíîï") == "cceeeeeeeeiiiiiiii");
  CHECK(codeKey("ÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿŸ") == "nnoooooooooooouuuuuuuuyyyy");
  CHECK(codeKey("Œuvre œuf Æ æ ß") == "oeuvre oeuf ae ae ss");
  CHECK(codeKey("ŠšŽžĆčŁłŐűĞİı") == "sszzccllougii");
  CHECK(codeKey("Ðð Þþ") == "dd thth");
  CHECK(codeKey("× ÷") == "× ÷");  // Not letters: kept.
  CHECK(codeKey("Ω Я 日本 😀 €") == "Ω Я 日本 😀 €");
}

TEST_CASE("codeKey: any precomposed letter or mark beyond Latin-1 (accent_fold.h)") {
  CHECK(codeKey("\xE1\xBA\xA0PP") == "app");         // Ạ U+1EA0
  CHECK(codeKey("A\xE1\xB7\x80PP") == "app");        // A + U+1DC0
  CHECK(codeKey("\xE1\xB9\xA0") == "s");             // Ṡ U+1E60
  CHECK(codeKey("\xC7\x8D\xC7\x8E") == "aa");        // Ǎ ǎ (Latin Extended-B)
  CHECK(codeKey("\xCE\x86") == "\xCE\xB1");          // Ά: Greek alpha, lower-cased
  CHECK(codeKey("a\xE2\x83\x97") == "a");            // U+20D7, a combining mark for symbols
  CHECK(codeKey("\xEA\xB0\x80") == "\xEA\xB0\x80");  // a Hangul syllable: no mark, kept
}

TEST_CASE("codeKey: decomposed accents (combining marks) are dropped") {
  CHECK(codeKey("Inge\xCC\x81nieur") == "ingenieur");  // e + U+0301.
  CHECK(codeKey("Dipl\xC3\xB4me") == codeKey("Diplo\xCC\x82me"));
}

TEST_CASE("codeKey: removed characters and controls are folded away first") {
  CHECK(codeKey(cat({kBom, "CDI", kZwsp})) == "cdi");
  CHECK(codeKey("\r\nA\r\nB\r\n") == "a b");
}

TEST_CASE("codePointCount") {
  CHECK(codePointCount("") == 0);
  CHECK(codePointCount("abc") == 3);
  CHECK(codePointCount("é") == 1);
  CHECK(codePointCount("€") == 1);
  CHECK(codePointCount("😀") == 1);
  CHECK(codePointCount("aé€😀z") == 5);
  CHECK(codePointCount(std::string(300, 'x')) == 300);
  CHECK(codePointCount("Inge\xCC\x81nieur") == 10);  // No NFC: the mark counts.
}

TEST_CASE("truncateCodePoints cuts on character boundaries") {
  std::string s = "aé€😀z";
  CHECK_FALSE(truncateCodePoints(s, 5));
  CHECK(s == "aé€😀z");
  CHECK_FALSE(truncateCodePoints(s, 99));
  CHECK(truncateCodePoints(s, 4));
  CHECK(s == "aé€😀");
  CHECK(truncateCodePoints(s, 3));
  CHECK(s == "aé€");
  CHECK(truncateCodePoints(s, 2));
  CHECK(s == "aé");
  CHECK(truncateCodePoints(s, 1));
  CHECK(s == "a");
  CHECK(truncateCodePoints(s, 0));
  CHECK(s.empty());
  CHECK_FALSE(truncateCodePoints(s, 0));

  std::string title(254, 'x');
  title += "éé";
  CHECK(truncateCodePoints(title, 255));
  CHECK(title == std::string(254, 'x') + "é");
  CHECK(codePointCount(title) == 255);
}

}  // namespace passerelle::formats
