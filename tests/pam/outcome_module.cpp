// A PAM module for differential tests: pam_sm_authenticate returns the code chosen for its line.
// Each line carries `slot=N`; character N of $MAMORI_PAM_OUTCOMES picks the result:
// s = PAM_SUCCESS, f = PAM_AUTH_ERR, u = PAM_USER_UNKNOWN, i = PAM_IGNORE.

#include <security/pam_modules.h>

#include <cstdlib>
#include <cstring>

extern "C" {

PAM_EXTERN int pam_sm_authenticate(pam_handle_t* /*pamh*/, int /*flags*/, int argc,
                                   const char** argv) {
  long slot = -1;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "slot=", 5) == 0) slot = std::strtol(argv[i] + 5, nullptr, 10);
  }
  const char* outcomes = std::getenv("MAMORI_PAM_OUTCOMES");
  if (slot < 0 || outcomes == nullptr || std::strlen(outcomes) <= static_cast<size_t>(slot)) {
    return PAM_SERVICE_ERR;
  }
  switch (outcomes[slot]) {
    case 's': return PAM_SUCCESS;
    case 'f': return PAM_AUTH_ERR;
    case 'u': return PAM_USER_UNKNOWN;
    case 'i': return PAM_IGNORE;
    default: return PAM_SERVICE_ERR;
  }
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/,
                              const char** /*argv*/) {
  return PAM_SUCCESS;
}

}  // extern "C"
