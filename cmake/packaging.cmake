# What makes an install tree a Debian-style installation, and the CPack DEB packages built from it
# (scripts/package.sh; docs/install.md).
#
# Two install components, two packages:
#   runtime -> mirrorgraph      the CLI, the plugins, the templates, the man page, bash completion,
#                               the systemd units, an example config
#   dev     -> mirrorgraph-dev  the plugin SDK: headers and the CMake package (find_package)
# Every install() rule without a COMPONENT belongs to `runtime` (CMAKE_INSTALL_DEFAULT_COMPONENT_NAME,
# set in the top-level CMakeLists.txt before the engine and plugins add theirs).

set(mg_pkg_dir ${PROJECT_SOURCE_DIR}/packaging)
set(mg_docdir ${CMAKE_INSTALL_DATADIR}/doc/mirrorgraph)

# The man page names the directories of this configuration.
set(MG_MAN_PLUGINDIR ${CMAKE_INSTALL_PREFIX}/${MIRRORGRAPH_INSTALL_PLUGINDIR})
set(MG_MAN_GRAPHDIR ${CMAKE_INSTALL_PREFIX}/${MIRRORGRAPH_INSTALL_GRAPHDIR})
set(MG_MAN_DOCDIR ${CMAKE_INSTALL_PREFIX}/${mg_docdir})
configure_file(${mg_pkg_dir}/mirrorgraph.1 ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1 @ONLY)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1.gz
  COMMAND gzip -9nc ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1 > ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1.gz
  DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1
  VERBATIM)
add_custom_target(mirrorgraph_manpage ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1.gz)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${mg_pkg_dir}/mirrorgraph.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mirrorgraph)

# The units run the installed binary; /usr/lib/systemd/system is systemd's directory for
# packaged units (a `cmake --install --prefix X` puts them under X, where systemd does not look).
set(MIRRORGRAPH_BIN ${CMAKE_INSTALL_FULL_BINDIR}/mirrorgraph)
configure_file(${mg_pkg_dir}/mirrorgraph.service ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mirrorgraph.service ${mg_pkg_dir}/mirrorgraph.timer
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/systemd/system)
install(FILES ${mg_pkg_dir}/mirror.toml.example DESTINATION ${mg_docdir}/examples RENAME mirror.toml)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mirrorgraph)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "mirrorgraph maintainers <mirrorgraph@example.org>")

set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # Depends: from the ELF files' needed libraries
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME mirrorgraph)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
# adduser: postinst makes the service's user. libcurl4: loaded with dlopen when the first HTTP
# request is made (engine/http/libcurl.h), so dpkg-shlibdeps cannot see it; 7.85 for
# CURLOPT_PROTOCOLS_STR.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser, libcurl4 (>= 7.85.0)")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "buildah, skopeo, git, qemu-user-static, ca-certificates")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "graphviz")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${mg_pkg_dir}/postinst ${mg_pkg_dir}/prerm ${mg_pkg_dir}/postrm)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME mirrorgraph-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "mirrorgraph (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake (>= 3.25), g++")
# The first line is the synopsis, the rest the long description. (No
# CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPackDeb would put it before every package's own synopsis.)
set(CPACK_DEBIAN_DEV_DESCRIPTION "mirrorgraph plugin SDK: C ABI header, C++ wrapper, CMake package
find_package(mirrorgraph) gives mirrorgraph::sdk, mirrorgraph_add_plugin() and
MIRRORGRAPH_PLUGIN_DIR, to build mirrorgraph plugins out of tree.")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "mirror upstream applications as signed multi-arch OCI images
mirrorgraph expands one TOML file into a graph of typed tasks (discover, probe, build per
platform, merge, sbom, sign, provenance), checks each against a content-addressed cache and
runs what is missing in parallel, resumably. Applications are described by plugins.")
include(CPack)
