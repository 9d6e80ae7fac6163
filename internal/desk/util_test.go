package desk_test

import (
	"masthead/internal/editorial"
	"masthead/internal/store"
)

func actor(a store.Account) editorial.Actor { return editorial.Actor{Account: a} }

func editorialInput(title string) editorial.PostInput {
	return editorial.PostInput{Title: title, Body: "Some text.\n"}
}
