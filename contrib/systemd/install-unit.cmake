# SPDX-License-Identifier: BSD-2-Clause
# install-unit.cmake: run by `cmake --install`; writes rewrite-milter.service with the sbin directory
# of the prefix being installed to (known only now, --prefix may differ from the configured one) and
# installs it. Inputs, set by contrib/CMakeLists.txt: REWRITE_UNIT_TEMPLATE, REWRITE_UNIT_STAGING,
# REWRITE_UNIT_DIR, REWRITE_SBINDIR (each relative to the prefix unless absolute).
foreach(var REWRITE_UNIT_DIR REWRITE_SBINDIR)
  if(IS_ABSOLUTE "${${var}}")
    set(${var}_FULL "${${var}}")
  else()
    set(${var}_FULL "${CMAKE_INSTALL_PREFIX}/${${var}}")
  endif()
endforeach()
file(READ "${REWRITE_UNIT_TEMPLATE}" unit)
string(REPLACE "@SBINDIR@" "${REWRITE_SBINDIR_FULL}" unit "${unit}")
file(WRITE "${REWRITE_UNIT_STAGING}" "${unit}")
file(INSTALL "${REWRITE_UNIT_STAGING}" DESTINATION "${REWRITE_UNIT_DIR_FULL}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
