"""Study mode: flashcards from the glossary, scheduled by FSRS, reviewed by learners.

Cards are derived (the content store holds them); a learner's schedule and every review are
durable (the state store), and name a card by its entry's slug and the card's key.
"""
