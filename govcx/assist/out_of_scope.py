"""Questions no agency assistant should answer: the built-in out-of-scope background.

Every agency model is trained with these phrasings as its out-of-scope class ("oos"), so an
off-topic question loses confidence in every intent (govcx/assist/model.py, `intent_scores`)
even when the agency gave no out-of-scope examples of its own. They are general small talk,
trivia and other services' business, in English and Spanish, written for govcx (not taken
from any data set). Agencies add their own with intents of kind "handover".
"""

from __future__ import annotations

EXAMPLES: tuple[str, ...] = (
    # small talk
    "hello how are you today", "tell me a joke", "what is your favorite color",
    "are you a robot", "do you like music", "sing me a song", "good morning",
    "what is the meaning of life", "i am bored", "can you be my friend",
    "what are you doing this weekend", "who made you",
    # trivia and general knowledge
    "what is the capital of france", "how tall is mount everest",
    "who wrote romeo and juliet", "how many planets are in the solar system",
    "what year did world war two end", "how far is the moon from earth",
    "what is the population of china", "who painted the mona lisa",
    "what is the speed of light", "how many bones are in the human body",
    "translate good night into italian", "what does the word serendipity mean",
    "spell necessary for me", "what is 17 times 23", "convert 10 miles to kilometers",
    # weather, time, news, sports
    "what is the weather tomorrow", "will it rain this afternoon", "what time is it in tokyo",
    "who won the football game last night", "what is the score of the baseball game",
    "latest news headlines", "when does the basketball season start",
    "set an alarm for 7 am", "remind me to call my mom", "set a timer for ten minutes",
    # shopping, food, travel, entertainment
    "recommend a good restaurant nearby", "how do i make lasagna",
    "what should i cook for dinner", "find me a cheap flight to denver",
    "book a hotel room in chicago", "what movies are playing tonight",
    "recommend a book to read", "play some jazz", "order a pizza",
    "where can i buy running shoes", "is the mall open on sunday",
    "how much does a new iphone cost", "track my amazon package",
    "what is the best car to buy", "rent a car at the airport",
    # personal finance and other businesses
    "what is the price of bitcoin", "should i buy stocks", "what is my credit score",
    "how do i open a bank account", "car insurance quotes", "how do i refinance my mortgage",
    "best credit card for travel rewards", "transfer money to my friend on venmo",
    # health and personal advice (not crisis)
    "how many calories are in an apple", "how do i lose weight", "good exercises for back pain",
    "how much water should i drink", "how do i fall asleep faster",
    "give me relationship advice", "how do i train my dog to sit", "my cat will not eat",
    # technology
    "how do i reset my wifi router", "my phone battery drains fast",
    "how do i take a screenshot", "install printer drivers", "fix my laptop screen",
    "what is the best video game", "how do i delete my facebook account",
    # Spanish
    "hola cómo estás", "cuéntame un chiste", "qué tiempo hará mañana",
    "cuál es la capital de francia", "quién ganó el partido de fútbol",
    "recomiéndame un restaurante", "cómo se hace una paella", "qué hora es en madrid",
    "pon música", "reserva un vuelo a miami", "cuánto cuesta un celular nuevo",
    "qué película me recomiendas", "cómo bajo de peso", "eres un robot",
    "cuál es el precio del dólar hoy", "cómo arreglo mi computadora",
    "dónde compro zapatos baratos", "cuántos planetas hay", "pon una alarma a las siete",
    "qué significa la palabra efímero", "cómo entreno a mi perro", "dime algo divertido",
)
