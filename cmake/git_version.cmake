# git_version.cmake: run at every build (cmake -P): write OUT with CASELOG_GIT_DESCRIBE,
# `git describe --always --dirty` of SRC, or "" when SRC is not a git checkout (a
# release tarball). The file is rewritten only when the text changes, so an unchanged
# tree rebuilds nothing.
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --tags
                OUTPUT_VARIABLE describe ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  set(describe "")
endif()
set(content "/* Written by cmake/git_version.cmake at build time. */\n#define CASELOG_GIT_DESCRIBE \"${describe}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUT}" "${content}")
endif()
