# mirrorgraph_add_plugin(NAME [OUTPUT_DIRECTORY dir] [INSTALL_DESTINATION dir | NO_INSTALL] SOURCES...)
#
# Builds a plugin shared module named mirrorgraph-<NAME>.so with hidden symbols (only the entry
# point that MIRRORGRAPH_PLUGIN() defines is exported), compiled as C++17 or newer against the SDK
# headers. Used in tree and by third parties after find_package(mirrorgraph).
#
#   OUTPUT_DIRECTORY     where the .so is written. Default: in the mirrorgraph tree, the build tree's
#                        plugins/ directory (the engine searches it); elsewhere, CMake's default.
#   INSTALL_DESTINATION  where `cmake --install` puts it. Default: in the mirrorgraph tree, the
#                        engine's plugin directory; elsewhere, lib/mirrorgraph/plugins under your
#                        CMAKE_INSTALL_PREFIX (the engine searches it when the prefixes match; point
#                        $MIRRORGRAPH_PLUGIN_PATH or engine.plugin_path at it otherwise).
#   NO_INSTALL           no install rule (test plugins).
function(mirrorgraph_add_plugin name)
  cmake_parse_arguments(MGP "NO_INSTALL" "OUTPUT_DIRECTORY;INSTALL_DESTINATION" "" ${ARGN})
  if(NOT MGP_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mirrorgraph_add_plugin(${name}): no source files given")
  endif()
  add_library(${name} MODULE ${MGP_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES
    PREFIX "" SUFFIX ".so" OUTPUT_NAME "mirrorgraph-${name}"
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_compile_features(${name} PRIVATE cxx_std_17)

  # In the mirrorgraph source tree the SDK target is defined later in the top-level CMakeLists;
  # link names resolve at generate time, so name it directly.
  set(in_tree FALSE)
  if(PROJECT_NAME STREQUAL "mirrorgraph" AND DEFINED MIRRORGRAPH_INSTALL_PLUGINDIR)
    set(in_tree TRUE)
  endif()
  if(TARGET mirrorgraph::sdk)
    target_link_libraries(${name} PRIVATE mirrorgraph::sdk)
  elseif(in_tree)
    target_link_libraries(${name} PRIVATE mirrorgraph_sdk)
  endif()

  if(MGP_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${MGP_OUTPUT_DIRECTORY}")
  elseif(in_tree)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/plugins")
  endif()

  if(NOT MGP_NO_INSTALL)
    if(MGP_INSTALL_DESTINATION)
      set(dest "${MGP_INSTALL_DESTINATION}")
    elseif(in_tree)
      set(dest "${MIRRORGRAPH_INSTALL_PLUGINDIR}")
    else()
      include(GNUInstallDirs)
      set(dest "${CMAKE_INSTALL_LIBDIR}/mirrorgraph/plugins")
    endif()
    install(TARGETS ${name} LIBRARY DESTINATION "${dest}")
  endif()
endfunction()
