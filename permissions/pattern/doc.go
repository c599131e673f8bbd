// Package pattern is rvm's one implementation of URL match patterns: the
// patterns of signed trustedAppConfigs blocks (Strict mode) and of desktop
// owner policies (Owner mode), SPEC section 5.3. (Full spec to come.)
package pattern
