# mirrorgraph_add_plugin(NAME SOURCES...): builds a plugin shared module named mirrorgraph-<NAME>.so
# with hidden symbols (only the entry point is exported). Used in tree and by third parties after
# find_package(mirrorgraph).
function(mirrorgraph_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES
    PREFIX "" OUTPUT_NAME "mirrorgraph-${name}"
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET mirrorgraph::sdk)
    target_link_libraries(${name} PRIVATE mirrorgraph::sdk)
  endif()
endfunction()
