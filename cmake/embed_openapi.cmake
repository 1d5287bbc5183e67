# Writes OUT: a C++ source defining wardline::api::openapi_document() with IN's text.
file(READ ${IN} CONTENT)
file(WRITE ${OUT} "#include <string>\nnamespace wardline::api {\nconst std::string& openapi_document() {\n  static const std::string doc = R\"__openapi__(${CONTENT})__openapi__\";\n  return doc;\n}\n}  // namespace wardline::api\n")
