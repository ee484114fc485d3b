#include "connectors/drop/report_messages.h"

#include <array>

namespace passerelle::connectors {

namespace {

constexpr std::array kAdvices = {
    // Rows (offer.md, field rules).
    ReportAdvice{"REF_MISSING", "Renseignez la référence de l'offre dans votre logiciel."},
    ReportAdvice{"REF_INVALID",
                 "Utilisez une référence de 64 caractères au plus, sans retour à la ligne ni "
                 "tabulation."},
    ReportAdvice{"DUPLICATE_REF",
                 "Donnez une référence différente à chaque offre : seule la première ligne "
                 "portant cette référence a été prise."},
    ReportAdvice{"SIRET_FORMAT",
                 "Indiquez le SIRET de l'établissement qui recrute : 14 chiffres (les espaces "
                 "et les points sont acceptés)."},
    ReportAdvice{"SIRET_CHECKSUM",
                 "Vérifiez le SIRET de l'employeur, une erreur de frappe est probable : "
                 "reprenez-le tel qu'il figure sur l'annuaire des entreprises."},
    ReportAdvice{"EMPLOYER_NAME_MISSING", "Renseignez la raison sociale de l'employeur."},
    ReportAdvice{"NAF_INVALID",
                 "Écrivez le code NAF sous la forme 5610A (quatre chiffres et une lettre)."},
    ReportAdvice{"TITLE_MISSING", "Renseignez l'intitulé du poste."},
    ReportAdvice{"TITLE_TRUNCATED",
                 "Raccourcissez l'intitulé (255 caractères au plus) et placez les détails "
                 "dans le descriptif."},
    ReportAdvice{"DESCRIPTION_TRUNCATED",
                 "Raccourcissez le descriptif : 10 000 caractères au plus."},
    ReportAdvice{"ROME_MISSING",
                 "Indiquez au moins un code ROME du métier : une lettre suivie de quatre "
                 "chiffres, par exemple D1106."},
    ReportAdvice{"ROME_INVALID",
                 "Corrigez les codes ROME : une lettre de A à N suivie de quatre chiffres, par "
                 "exemple D1106, séparés par des virgules."},
    ReportAdvice{"CONTRACT_TYPE",
                 "Choisissez le type de contrat parmi ceux de votre logiciel : apprentissage "
                 "ou professionnalisation."},
    ReportAdvice{"START_DATE",
                 "Indiquez une date de début de contrat qui existe au calendrier (jour, mois, "
                 "année entre 1900 et 2099)."},
    ReportAdvice{"DURATION",
                 "Indiquez la durée du contrat en mois, un nombre entier de 1 à 48, ou laissez "
                 "la case vide."},
    ReportAdvice{"POSITIONS",
                 "Indiquez le nombre de postes, un nombre entier de 1 à 999, ou laissez la "
                 "case vide pour un poste."},
    ReportAdvice{"DIPLOMA_LEVEL",
                 "Choisissez un niveau de diplôme de 3 (CAP) à 7 (master, ingénieur)."},
    ReportAdvice{"RNCP_INVALID", "Écrivez le code RNCP sous la forme RNCP12345."},
    ReportAdvice{"POSTAL_CODE", "Indiquez le code postal du lieu de travail : cinq chiffres."},
    ReportAdvice{"CITY_MISSING", "Renseignez la ville du lieu de travail."},
    ReportAdvice{"INSEE_INVALID",
                 "Indiquez le code INSEE de la commune du lieu de travail (par exemple 35238) "
                 "ou laissez la case vide."},
    ReportAdvice{"EMAIL_INVALID",
                 "Indiquez une adresse e-mail complète pour le contact, par exemple "
                 "recrutement@exemple.fr."},
    ReportAdvice{"PHONE_INVALID",
                 "Indiquez un numéro de téléphone complet pour le contact, par exemple "
                 "02 99 00 00 00."},
    ReportAdvice{"EXPIRES_DATE",
                 "Indiquez une date de fin de publication qui existe au calendrier, ou "
                 "laissez la case vide."},
    ReportAdvice{"CONSENT_VALUE",
                 "Indiquez oui ou non, selon l'accord de l'employeur pour une diffusion à "
                 "France Travail."},
    ReportAdvice{"UPDATED_AT",
                 "Vérifiez que votre logiciel exporte la date de modification avec la date "
                 "et l'heure."},
    ReportAdvice{"ACTION_INVALID", "Indiquez C (création), M (modification) ou S (suppression)."},
    // Rows that cannot be read at all.
    ReportAdvice{"FIELD_COUNT",
                 "Cette ligne n'a pas autant de colonnes que la première ligne du fichier : "
                 "vérifiez qu'aucun texte ne contient de point-virgule ou de guillemet mal "
                 "fermé, puis exportez à nouveau."},
    ReportAdvice{"ENCODING",
                 "Un caractère de cette ligne n'a pas pu être lu : retapez le texte concerné "
                 "dans votre logiciel (un caractère copié d'un autre document est souvent en "
                 "cause), puis exportez à nouveau."},
    ReportAdvice{"CSV_QUOTE",
                 "Un guillemet est mal placé dans cette ligne : un texte entre guillemets doit "
                 "se terminer par un guillemet suivi d'un point-virgule. Exportez à nouveau."},
    // GIL rows, as applied to the offers already received.
    ReportAdvice{"ALREADY_EXISTS",
                 "Rien à faire : l'offre a été mise à jour. Pour une offre déjà envoyée, "
                 "utilisez M (modification)."},
    ReportAdvice{"UNKNOWN_OFFER",
                 "Vérifiez la référence : le portail n'a reçu aucune offre sous cette "
                 "référence."},
    ReportAdvice{"STALE_MOVEMENT",
                 "Une version plus récente de l'offre avait déjà été reçue : vérifiez la date "
                 "de modification exportée."},
    // The whole file.
    ReportAdvice{"BINARY_CONTENT",
                 "Déposez l'export CSV de votre logiciel, pas un autre type de fichier "
                 "(classeur de tableur, archive, PDF)."},
    ReportAdvice{"EMPTY_FILE", "Exportez à nouveau vos offres et déposez le fichier complet."},
    ReportAdvice{"ENVELOPE_MISSING",
                 "La ligne d'identification du début du fichier manque : exportez à nouveau "
                 "depuis votre logiciel, sans retoucher le fichier."},
    ReportAdvice{"VERSION_UNSUPPORTED",
                 "Cette version de l'export n'est pas lue par le portail : contactez l'équipe "
                 "du portail."},
    ReportAdvice{"PARTNER_MISMATCH",
                 "Le fichier porte le code d'un autre organisme : déposez votre propre export "
                 "dans votre dossier."},
    ReportAdvice{"HEADER_DUPLICATE_COLUMN",
                 "Supprimez la colonne en double de la première ligne du fichier, puis "
                 "déposez-le à nouveau."},
    ReportAdvice{"HEADER_MISSING_COLUMNS",
                 "Ajoutez ces colonnes à l'export, avec leur nom exact en première ligne, puis "
                 "déposez à nouveau le fichier."},
    ReportAdvice{"CSV_UNTERMINATED_QUOTE",
                 "Le fichier semble coupé pendant l'envoi : déposez à nouveau le fichier "
                 "complet."},
    ReportAdvice{"TRAILER_MISSING",
                 "Le fichier a sans doute été coupé pendant l'envoi : déposez à nouveau le "
                 "fichier complet."},
    ReportAdvice{"TRAILER_COUNT_MISMATCH",
                 "Des lignes manquent ou sont en trop par rapport au nombre annoncé en fin de "
                 "fichier : déposez à nouveau le fichier complet."},
    ReportAdvice{"HEADER_UNKNOWN_COLUMNS",
                 "Ces colonnes ne sont pas lues : rien à faire si elles ne concernent pas "
                 "l'offre, sinon vérifiez leur nom."},
    ReportAdvice{"FILE_TOO_LARGE",
                 "Déposez un export plus petit, ou contactez l'équipe du portail."},
};

bool endsSentence(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return !text.empty() && (text.back() == '.' || text.back() == '!' || text.back() == '?');
}

}  // namespace

std::span<const ReportAdvice> reportAdvices() {
  return kAdvices;
}

std::optional<std::string_view> adviceFor(std::string_view code) {
  for (const ReportAdvice& a : kAdvices)
    if (a.code == code) return a.advice;
  return std::nullopt;
}

std::string reportMessage(std::string_view code, std::string_view detail) {
  std::string message(detail);
  const auto advice = adviceFor(code);
  if (!advice) return message;
  if (message.empty()) return std::string(*advice);
  message += endsSentence(message) ? " " : ". ";
  message += *advice;
  return message;
}

}  // namespace passerelle::connectors
