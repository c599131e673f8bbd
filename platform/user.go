package platform

// UserID reports the id of the user this process runs as, as the decision
// document's decidedBy.uid and the stored answers name users: the decimal
// user id, and on Windows the SID of the process token's user (""
// where the token cannot be read).
func UserID() string { return userID() }
