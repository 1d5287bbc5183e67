# Writes OUT: a C++ source defining wardline::api::web_assets(), the files
# under ROOT (FILES, a list) with their paths relative to ROOT and a
# Content-Type by extension. The dashboard is compiled in, so a daemon is
# never out of step with its pages.
set(BODY "")
foreach(F IN LISTS FILES)
  file(RELATIVE_PATH REL ${ROOT} ${F})
  get_filename_component(EXT ${F} LAST_EXT)
  if(EXT STREQUAL ".html")
    set(TYPE "text/html; charset=utf-8")
  elseif(EXT STREQUAL ".js")
    set(TYPE "text/javascript; charset=utf-8")
  elseif(EXT STREQUAL ".css")
    set(TYPE "text/css; charset=utf-8")
  elseif(EXT STREQUAL ".svg")
    set(TYPE "image/svg+xml")
  else()
    continue()  # documentation and anything else stays out of the binary
  endif()
  file(READ ${F} CONTENT)
  string(FIND "${CONTENT}" ")wlasset\"" CLASH)
  if(NOT CLASH EQUAL -1)
    message(FATAL_ERROR "${F} contains the raw-string delimiter )wlasset\"")
  endif()
  string(APPEND BODY "    {\"${REL}\", \"${TYPE}\", R\"wlasset(${CONTENT})wlasset\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "#include \"api/web_assets.h\"\nnamespace wardline::api {\nconst std::vector<WebAsset>& web_assets() {\n  static const std::vector<WebAsset> assets = {\n${BODY}  };\n  return assets;\n}\n}  // namespace wardline::api\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
