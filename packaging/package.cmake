# packaging/package.cmake: install rules and the Debian package (CPack DEB).
#
#   cmake --build build --target package   ->  build/passerelle_<version>_amd64.deb
#
# Included from the top-level CMakeLists.txt. The program's own install rule
# (bin/passerelle) is in daemon/CMakeLists.txt; with the packaging prefix /usr
# it lands in /usr/bin. Everything else the package holds is installed here:
#
#   /usr/bin/passerelle
#   /lib/systemd/system/passerelle.service            the daemon (Type=notify)
#   /lib/systemd/system/passerelle-reconcile.service  the nightly reconciliation
#   /lib/systemd/system/passerelle-reconcile.timer
#   /lib/systemd/system-generators/passerelle-generator
#                                                     ReadWritePaths= for local drop folders
#   /etc/passerelle/passerelle.toml                   the operator's configuration: the postinst
#                                                     copies /usr/share/passerelle/passerelle.toml
#                                                     (the example) there when missing
#   /etc/logrotate.d/passerelle                       the embedded server's log (conffile)
#   /usr/share/man/man1/passerelle.1.gz               generated: packaging/gen-cli-docs
#   /usr/share/bash-completion/completions/passerelle generated: packaging/gen-cli-docs
#   /usr/share/doc/passerelle/                        README, copyright, changelog.Debian.gz,
#                                                     example configuration
#
# The maintainer scripts (packaging/debian/) create the `passerelle` system
# user and group, /etc/passerelle/secrets (0750 root:passerelle) and
# /var/lib/passerelle; they never start the service: it needs a configuration.
# Runtime library dependencies are computed by dpkg-shlibdeps (dpkg-dev).

set(PASSERELLE_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

# Absolute destinations: the files belong where Debian's tools look for them,
# whatever the install prefix.
install(FILES
          ${PASSERELLE_PACKAGING_DIR}/systemd/passerelle.service
          ${PASSERELLE_PACKAGING_DIR}/systemd/passerelle-reconcile.service
          ${PASSERELLE_PACKAGING_DIR}/systemd/passerelle-reconcile.timer
        DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(PROGRAMS ${PASSERELLE_PACKAGING_DIR}/systemd/passerelle-generator
        DESTINATION /lib/systemd/system-generators)
install(FILES ${PASSERELLE_PACKAGING_DIR}/debian/logrotate
        DESTINATION /etc/logrotate.d RENAME passerelle
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PASSERELLE_PACKAGING_DIR}/passerelle.bash-completion
        DESTINATION share/bash-completion/completions RENAME passerelle
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PASSERELLE_PACKAGING_DIR}/debian/copyright
        DESTINATION share/doc/passerelle
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Debian wants the manual page and the changelog compressed (gzip -9n: no
# name or time stamp, so that the package is reproducible). Compressed at
# configure time; an edit of either file configures again.
set(PASSERELLE_GZIPPED ${CMAKE_CURRENT_BINARY_DIR}/packaging/gz)
file(MAKE_DIRECTORY ${PASSERELLE_GZIPPED})
foreach(pair "passerelle.1:passerelle.1.gz" "debian/changelog:changelog.Debian.gz")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 source)
  list(GET pair 1 target)
  execute_process(COMMAND gzip -9 -n -c ${PASSERELLE_PACKAGING_DIR}/${source}
                  OUTPUT_FILE ${PASSERELLE_GZIPPED}/${target} RESULT_VARIABLE gzip_rc)
  if(NOT gzip_rc EQUAL 0)
    message(FATAL_ERROR "gzip of packaging/${source} failed")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${PASSERELLE_PACKAGING_DIR}/${source})
endforeach()
install(FILES ${PASSERELLE_GZIPPED}/passerelle.1.gz
        DESTINATION share/man/man1
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PASSERELLE_GZIPPED}/changelog.Debian.gz
        DESTINATION share/doc/passerelle
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The manual page and the completion follow the program's --help, and the
# changelog's version the project's (packaging/check-docs).
if(PASSERELLE_BUILD_TESTS)
  add_test(NAME package_docs
           COMMAND ${PASSERELLE_PACKAGING_DIR}/check-docs $<TARGET_FILE:passerelle>
                   ${PROJECT_VERSION})
endif()

# The example configuration. The postinst copies it to
# /etc/passerelle/passerelle.toml when that file is missing and never touches
# it afterwards (edits are kept across upgrades), and the postrm purges it.
# Not a dpkg conffile: /etc/passerelle would then be the package's
# directory, and dpkg warns at every purge that it is not empty (the
# secrets/ that the postinst made are still there when dpkg looks).
install(FILES ${PROJECT_SOURCE_DIR}/etc/passerelle.toml
        DESTINATION share/passerelle
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/etc/passerelle.toml
        DESTINATION share/doc/passerelle/examples
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION share/doc/passerelle
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# dpkg keeps an operator's edits of a conffile across upgrades (and asks
# before replacing it); CPack does not mark /etc files by itself.
set(PASSERELLE_CONFFILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles)
file(WRITE ${PASSERELLE_CONFFILES} "/etc/logrotate.d/passerelle\n")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "passerelle")
set(CPACK_PACKAGE_VENDOR "passerelle")
set(CPACK_PACKAGE_CONTACT "passerelle maintainers <passerelle@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "apprenticeship offers from partners' drop folders to the national services")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "passerelle")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # passerelle_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The extended description (CPack puts the summary above it and indents it).
set(CPACK_PACKAGE_DESCRIPTION
    "passerelle imports the apprenticeship offers that training centres export
(Ymag/Ypareo, GIL, Sigma CSV files) from their FTPS drop folders into a
PostgreSQL offer store, and pushes what is new, changed or withdrawn to
La bonne alternance and to the France Travail partner feed.

The package holds the program, a systemd service, a nightly reconciliation
timer and an example configuration in /etc/passerelle/.")
# Shared libraries (libpqxx, libcurl, spdlog, toml++...) through dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser for the postinst; systemd for the units' options (LoadCredential=,
# StateDirectory=... need a recent one; bookworm has 252).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, systemd (>= 250)")
# store.url = "embedded" runs PostgreSQL 15's own programs
# (/usr/lib/postgresql/15/bin); an installation on an external server needs
# none of it.
# logrotate rotates the embedded server's log (/etc/logrotate.d/passerelle).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15, logrotate")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-client-15")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PASSERELLE_CONFFILES}
    ${PASSERELLE_PACKAGING_DIR}/debian/postinst
    ${PASSERELLE_PACKAGING_DIR}/debian/prerm
    ${PASSERELLE_PACKAGING_DIR}/debian/postrm)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
