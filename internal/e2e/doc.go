// Package e2e holds the end-to-end tests of Masthead: a whole server
// against real outside programs (a mail server such as mailpit) and real
// processes that are killed and started again. It has no code of its own.
package e2e
