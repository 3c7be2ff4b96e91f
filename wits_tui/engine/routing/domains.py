"""The classifier's knowledge of each domain: keywords, patterns and example utterances.

These are the classifier's own data. The evaluation set
``tests/engine/routing/data/heldout.jsonl`` is separate and must stay so: never copy
its messages here or choose anything by its score (see the README beside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wits_tui.settings import CustomDomain, RoutingSettings

GENERAL = "general"


@dataclass(frozen=True)
class Domain:
    name: str
    description: str
    keywords: tuple[str, ...] = ()  # whole words or phrases; "word*" matches as a prefix
    patterns: tuple[str, ...] = ()  # regular expressions (built-in domains only)
    examples: tuple[str, ...] = ()
    threshold: float | None = None
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = []
        for kw in self.keywords:
            kw = kw.strip().lower()
            if not kw:
                continue
            if kw.endswith("*"):
                parts.append(re.escape(kw[:-1]) + r"\w*")
            else:
                parts.append(re.escape(kw))
        if parts:
            rx = re.compile(r"(?<![\w])(?:" + "|".join(sorted(parts, key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)
            object.__setattr__(self, "_regex", rx)
        object.__setattr__(self, "_patterns", tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in self.patterns))

    def keyword_hits(self, text: str) -> float:
        """Distinct keywords found (each 1) plus matching patterns (each 1.5)."""
        hits = len({m.group(0).lower() for m in self._regex.finditer(text)}) if self._regex else 0
        return hits + 1.5 * sum(1 for p in self._patterns if p.search(text))


_WORD = re.compile(r"[a-z][a-z+#']+")
_STOP = frozenset(
    "a an and are as at be but by can do does for from give have how i if in is it its me my of on or our so some "
    "that the their them then there these this to was what when where which who why will with would you your "
    "about after all any into just like make more most not one out over should than very want were write".split()
)


def stem(word: str) -> str:
    """A crude stem: enough to match plurals and -ing/-ed forms of the same word."""
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


class ExampleVocabulary:
    """Words of each domain's example utterances, weighted by how specific they are
    (a word in the examples of k domains counts 1/k): a keyword score learnt from the
    classifier's own examples, so it works without embeddings."""

    WEIGHT = 0.5

    def __init__(self, domains: "list[Domain] | tuple[Domain, ...]") -> None:
        self.vocab = {d.name: set().union(*(content_stems(e) for e in d.examples)) if d.examples else set() for d in domains}
        owners: dict[str, int] = {}
        for words in self.vocab.values():
            for w in words:
                owners[w] = owners.get(w, 0) + 1
        self.weight = {w: 1.0 / k for w, k in owners.items()}

    def hits(self, text: str) -> dict[str, float]:
        stems = content_stems(text)
        return {name: self.WEIGHT * sum(self.weight[w] for w in stems & words) for name, words in self.vocab.items()}


BUILTIN_DOMAINS: tuple[Domain, ...] = (
    Domain(
        "code",
        "Programming, software, debugging, tools",
        keywords=(
            "code", "coding", "program*", "function", "method", "class", "variable", "bug", "debug*", "compile*",
            "python", "javascript", "typescript", "java", "rust", "golang", "c++", "c#", "sql", "bash", "shell script",
            "regex", "api", "json", "yaml", "git", "docker", "kubernetes", "refactor*", "unit test*", "exception",
            "stack trace", "traceback", "segfault", "null pointer", "async", "library", "framework", "npm", "pip",
            "script", "repository", "endpoint", "database", "query", "html", "css", "react", "django", "linux command",
            "algorithm", "recursion", "loop", "array", "string", "integer overflow", "syntax error", "runtime error",
            "branch", "commit", "merge conflict", "install", "package", "build fails", "linker", "compiler", "deploy*",
            "pandas", "numpy", "virtualenv", "big o", "race condition", "deadlock", "memory leak", "pointer", "struct",
            "interface", "data structure", "hash map", "stdout", "cli", "terminal",
            "compile error",
        ),
        patterns=(r"```", r"\bdef \w+\(", r"\w+\(\)", r"[{};]\s*$", r"\bimport \w+", r"==|!=|=>|->", r"\.(py|js|ts|rs|go|java|cpp|sh)\b"),
        examples=(
            "Write a Python function that removes duplicates from a list while keeping the order",
            "Why does my JavaScript fetch call return a pending promise?",
            "How do I fix 'ModuleNotFoundError: No module named requests'?",
            "Explain what a closure is in programming with a short example",
            "Convert this for loop into a list comprehension",
            "My SQL query with a LEFT JOIN returns duplicate rows, why?",
            "Write a bash script that renames all .txt files in a folder",
            "What is the difference between a process and a thread in Linux?",
            "Refactor this class so it follows the single responsibility principle",
            "How do I read a CSV file with pandas and filter rows?",
            "Implement binary search in Rust",
            "Why is my React component rendering twice?",
            "Write a regular expression that matches email addresses",
            "How do I write unit tests for a Flask endpoint?",
            "Segmentation fault when I free a pointer twice in C, explain",
            "Set up a Dockerfile for a Node.js app",
            "What does the yield keyword do in Python generators?",
            "How do I make an HTTP request with headers in Go?",
            "This function returns None instead of the list I built, what am I missing?",
            "What does 'TypeError: cannot read properties of undefined' mean?",
            "How do I squash my last three commits before pushing?",
            "Write a SQL query that finds the top five customers by total order value",
            "Explain the difference between an abstract class and an interface",
            "My program gets slower the longer it runs; how do I find the memory leak?",
            "How do I parse command line arguments in a small script?",
            "Why does my variable keep its old value inside the callback?",
            "Add type hints to this function and make it pass mypy",
            "What's the idiomatic way to handle errors in Rust without unwrap?",
            "How do I configure nginx as a reverse proxy for a local service?",
            "The build fails with 'undefined reference to main', what does that mean?",
            "Write a shell one-liner to count lines in every file under a directory",
            "How should I structure a REST API for users and their orders?",
            "How do I mock a network call in my tests?",
            "Why is this recursive function hitting the maximum recursion depth?",
            "Center an element on the page with CSS grid",
            "How do I read environment variables in a Node app?",
            "What's the time complexity of inserting into a heap?",
        ),
    ),
    Domain(
        "math",
        "Arithmetic, algebra, calculus, probability, statistics, proofs",
        keywords=(
            "math*", "calculate", "calculation", "compute", "equation", "solve for", "integral", "integrate", "derivative",
            "differentiate", "limit", "matrix", "matrices", "eigenvalue*", "vector", "probability", "statistic*", "mean",
            "median", "variance", "standard deviation", "prime", "factor*", "fraction", "percent*", "percentage", "sum of",
            "algebra", "geometry", "triangle", "circle", "area", "volume", "radius", "angle", "theorem", "proof", "prove",
            "logarithm", "log", "exponent", "square root", "polynomial", "quadratic", "calculus", "trigonometry", "sine",
            "cosine", "divisible", "multiply", "divide", "arithmetic", "convert", "units",
            "how much is", "decimal", "slope", "circumference", "cubed", "squared", "chance", "odds", "simplify", "degrees",
            "sum", "product", "divided by", "times", "plus", "minus", "average",
            "power of", "to the power", "ratio", "permutations",
            "digits", "numbers", "formula", "divisor", "gcd",
        ),
        patterns=(r"\d+\s*[-+*/^×÷]\s*\d+", r"\b[xyz]\s*[\^²]\s*\d*", r"\b\d*[xyz]\s*[-+=]\s*\d", r"[∫∑√π≤≥]", r"\bf\(x\)"),
        examples=(
            "What is 17 times 23?",
            "Find the derivative of x^3 sin(x)",
            "Compute the integral of 1/(1+x^2) from 0 to 1",
            "What is the probability of getting two sixes when rolling two dice?",
            "Calculate the mean and standard deviation of 4, 8, 15, 16, 23, 42",
            "What is 15 percent of 240?",
            "Is 221 a prime number?",
            "Simplify the expression (x^2 - 9)/(x - 3)",
            "What is the sum of the first 100 positive integers?",
            "Explain the Pythagorean theorem with an example",
            "If a loan of 10,000 has 5% annual interest compounded monthly, what is owed after 3 years?",
            "What is log base 2 of 1024?",
            "What is 3/8 as a decimal?",
            "A train travels 180 km in 2.5 hours; what is its average speed?",
            "Find x if 2^x = 64",
            "How many different 4-digit PIN codes are there?",
            "What is the derivative of e^(2x)?",
            "If I flip a coin 10 times, what's the chance of exactly 3 heads?",
            "What is the greatest common divisor of 84 and 126?",
            "Factor x^2 + 5x + 6",
            "How many square metres is a room 4.2 m by 3.5 m?",
            "A price went from 80 to 100; by what percentage did it rise?",
            "What is the next number in the sequence 2, 6, 12, 20, 30?",
            "Solve the system x + y = 10 and x - y = 4",
            "Convert 5 miles to kilometres",
            "What is the volume of a cylinder 10 cm tall with a 3 cm radius?",
            "Show that the sum of two even numbers is always even",
            "What's the median of 3, 9, 4, 12, 7?",
            "If 3 workers paint a fence in 6 hours, how long do 2 workers take?",
            "Integrate x e^x",
            "How much interest does 2,000 earn at 4% a year for 5 years, simple interest?",
            "What is 2 to the power of 20?",
            "What is the hypotenuse of a right triangle with legs 5 and 12?",
            "Differentiate ln(x^2 + 1)",
            "How many combinations of 3 toppings can I choose from 8?",
            "Round 3.14159 to two decimal places and explain the rule",
            "What is the standard deviation telling me in a set of exam scores?",
        ),
    ),
    Domain(
        "creative",
        "Stories, poems, lyrics, fiction, names, creative ideas",
        keywords=(
            "story", "stories", "poem", "poetry", "haiku", "limerick", "sonnet", "lyrics", "song", "rhyme*", "fiction",
            "novel", "character*", "plot", "fairy tale", "fantasy", "write a scene", "dialogue", "screenplay", "slogan",
            "tagline", "creative", "imagine", "invent", "brainstorm names", "name ideas", "metaphor", "verse", "narrative",
            "bedtime story", "short story", "villain", "hero", "dragon", "joke", "pun", "riddle", "toast", "greeting card",
            "describe vividly", "worldbuilding", "fanfic*", "caption",
            "tale", "in the style of", "superhero*", "enchanted", "write a song",
            "make up",
        ),
        examples=(
            "Write a short story about a lighthouse keeper who finds a message in a bottle",
            "Compose a haiku about autumn rain",
            "Give me ten creative names for a coffee shop run by cats",
            "Write a limerick about a programmer who hates Mondays",
            "Describe a futuristic city at night in vivid detail",
            "Write song lyrics about leaving your hometown",
            "Create a villain for my fantasy novel with a tragic backstory",
            "Write a bedtime story for a five-year-old about a brave turtle",
            "Come up with a catchy slogan for an eco-friendly water bottle",
            "Write a sonnet about the sea",
            "Imagine a conversation between a dragon and a knight who are old friends",
            "Write the opening paragraph of a mystery novel",
            "Tell me a funny joke about penguins",
            "Write a heartfelt wedding toast for my sister",
            "Write a poem from the perspective of an old oak tree",
            "Invent a new holiday and describe how people celebrate it",
            "Give me a plot twist for a science fiction story about time travel",
            "Write a short poem about the first snow of winter",
            "Make up a legend about why the moon changes shape",
            "Write a funny story about a cat who wants to be a chef",
            "Suggest names for a fantasy kingdom by the sea",
            "Write a scene where two rivals are stuck in a lift together",
            "Write a rap verse about climbing a mountain",
            "Give me an opening line for a ghost story",
            "Describe a sunset over the desert like a novelist would",
            "Write a children's rhyme about brushing your teeth",
            "Create a backstory for a retired space pirate",
            "Write a love letter from a robot to a toaster",
            "Come up with a name and motto for a cycling club",
            "Write a short fable with a moral about patience",
            "Write a monologue for a villain who thinks they are the hero",
            "Turn my grocery list into a dramatic poem",
            "Write a birthday message in rhyme for my grandmother",
            "Invent a creature that lives in clouds and describe it",
            "Write flash fiction of exactly fifty words about a lost key",
            "Write a tongue twister about purple penguins",
            "Give me a writing prompt for a dystopian short story",
        ),
    ),
    Domain(
        "reasoning",
        "Analysis, logic, comparisons, arguments, decisions, explanations of why",
        keywords=(
            "why", "reason*", "logic*", "logical", "argument", "argue", "pros and cons", "compare", "comparison",
            "versus", "vs", "trade-off*", "tradeoff*", "evaluate", "analy*", "implication*", "consequence*", "evidence",
            "fallacy", "cause", "explain why", "should i", "which is better", "dilemma", "ethical", "ethics", "assumption*",
            "infer", "deduce", "conclude", "conclusion", "paradox", "puzzle", "riddle", "critique", "justify", "hypothes*",
            "counterargument", "what would happen if", "is it true that", "does it follow",
            "better", "worth", "fair", "risk*", "believe", "weakness*", "strengths", "how sure", "think carefully",
            "what follows", "good or bad",
            "theory", "conclusive", "objectively",
        ),
        examples=(
            "If all bloops are razzies and all razzies are lazzies, are all bloops lazzies?",
            "What are the pros and cons of remote work for a small company?",
            "Why did the Roman Empire fall? Weigh the main explanations",
            "Is it ethical to use AI to write school essays? Argue both sides",
            "Compare nuclear and solar power in terms of cost, safety and emissions",
            "Which logical fallacy is 'everyone does it so it must be fine'?",
            "Should I rent or buy a house if I might move in three years?",
            "A bat and a ball cost 1.10 in total and the bat costs 1.00 more than the ball. Think it through",
            "What would happen to the economy if everyone worked four days a week?",
            "Evaluate the argument that social media makes people lonelier",
            "Three boxes are labelled wrongly; how can you find the right labels by opening one?",
            "What are the trade-offs between consistency and availability in distributed systems?",
            "Explain why correlation does not imply causation with an example",
            "Is it better to pay off debt or invest spare money? Reason it out",
            "What assumptions does this argument rely on: crime fell after the new law, so the law worked",
            "Critique the idea that talent matters more than practice",
            "Two trains leave at the same time, one lies and one tells the truth, which question identifies them?",
            "Which is the stronger argument and why: banning cars downtown or taxing them?",
            "If it rained, the ground is wet; the ground is wet, so did it rain?",
            "Why might a company choose to lose money on its main product?",
            "Weigh the risks and benefits of taking a gap year before university",
            "What is wrong with the reasoning 'I've lost five times, so I'm due a win'?",
            "Is a hot dog a sandwich? Make the case carefully",
            "Compare living in a big city with living in a small town for a young family",
            "What are the strongest objections to a universal basic income?",
            "Explain the reasoning behind the Monty Hall problem",
            "Why do experts disagree about whether coffee is healthy?",
            "Should a startup build its own servers or use a cloud provider? Consider the trade-offs",
            "Does a higher salary always make people happier? Think about the evidence",
            "A says B is lying, B says C is lying, C says both A and B are lying. Who tells the truth?",
            "What are the hidden costs of choosing the cheapest option when buying tools?",
            "Is it rational to buy lottery tickets?",
            "Analyse why some new year's resolutions succeed and most fail",
            "What would be the consequences of abolishing homework?",
            "Decide between two job offers: one pays more, the other has better growth",
            "Can a theory that explains everything be tested at all?",
        ),
    ),
    Domain(
        "planning",
        "Plans, schedules, roadmaps, itineraries, checklists, organising work",
        keywords=(
            "plan", "planning", "schedule", "roadmap", "itinerary", "timeline", "milestone*", "checklist", "to-do",
            "todo", "agenda", "step by step plan", "steps to", "organi*", "prioriti*", "deadline", "goal*", "week plan",
            "weekly", "daily routine", "routine", "budget", "trip", "travel", "vacation", "event", "wedding planning",
            "meal plan", "workout plan", "study plan", "strategy", "project plan", "launch", "prepare for", "timetable",
            "sprint", "backlog", "calendar", "phases", "break down", "next steps",
            "weekend", "prepare", "preparation", "interview", "steps", "moving", "move abroad", "tomorrow", "next week",
            "this year", "reading plan", "itinerary", "organise", "organize",
            "training plan",
        ),
        examples=(
            "Plan a three-day trip to Rome on a modest budget",
            "Create a weekly study schedule for learning Spanish while working full time",
            "Help me organise a surprise birthday party for thirty guests",
            "Give me a 12-week training plan to run a half marathon",
            "Draft a project roadmap for launching a mobile app in six months",
            "How should I prioritise my tasks for this week?",
            "Write an agenda for a one-hour team kickoff meeting",
            "Plan healthy meals for a family of four for the next week",
            "Break down writing a thesis into milestones with deadlines",
            "What steps should I take to start a small bakery business?",
            "Create a morning routine that helps me be more productive",
            "Plan the migration of our servers to the cloud in phases",
            "Prepare a timeline for organising a wedding in nine months",
            "Make a packing list for a week of camping",
            "Help me set quarterly goals for my sales team",
            "Plan my Saturday so I can clean the house, shop and still see friends",
            "Make a schedule for revising five subjects over the next month",
            "What should I do each week in the month before my wedding?",
            "Create a budget plan to save for a car in a year",
            "Organise a team offsite for twelve people: venue, agenda and timing",
            "Give me a step-by-step plan to learn the guitar in six months",
            "Plan a road trip along the coast with stops for each night",
            "Set up a cleaning rota for a shared flat of four",
            "Build a content calendar for a small business blog for the next quarter",
            "Lay out the steps to apply to universities abroad, with deadlines",
            "Create a daily schedule for working from home with two kids",
            "Plan a vegetable garden for spring: what to sow and when",
            "Help me prepare for a job interview next Thursday, day by day",
            "Draft a release plan for the next version of our product with milestones",
            "Make a to-do list for hosting a dinner party on Friday",
            "Plan a weekend in Lisbon with a toddler",
            "Organise my reading list into a plan for the rest of the year",
            "Create a 30-day plan to get back into running after an injury",
            "Break the renovation of my kitchen into phases with a rough timeline",
            "Plan the onboarding for a new developer joining the team next month",
        ),
    ),
    Domain(
        GENERAL,
        "Conversation, facts, advice and everything else",
        keywords=("hello", "hi", "hey", "thanks", "thank you", "good morning", "how are you", "who are you", "what is the capital",
                  "recommend", "tell me about", "what's up", "weather", "news", "definition", "meaning of",
                  "capital of", "who invented", "who is", "who was", "book",
                  "movie", "thanks a lot", "eat", "animal*"),
        examples=(
            "Hi there, how are you today?",
            "Thanks, that was helpful!",
            "What is the capital of Australia?",
            "Tell me something interesting about octopuses",
            "Who wrote Pride and Prejudice?",
            "Can you recommend a good book to read on holiday?",
            "What does the word serendipity mean?",
            "How tall is Mount Everest?",
            "What are some good houseplants for a dark room?",
            "Summarise the history of the Eiffel Tower in a few sentences",
            "What time zone is Tokyo in?",
            "What's a good name for a golden retriever puppy?",
            "Translate 'good morning' into French",
            "What are the symptoms of the common cold?",
            "Good morning! Any tips for staying focused today?",
            "Hey! What's up?",
            "How many continents are there?",
            "What is the boiling point of water at sea level?",
            "Why is the sky blue?",
            "What's the difference between a crocodile and an alligator?",
            "How do I keep basil alive indoors?",
            "What's a good podcast about history?",
            "How long does it take to fly from London to New York?",
            "What do sloths eat?",
            "When did the first man land on the moon?",
            "What is the population of Canada?",
            "How should I store fresh strawberries?",
            "Recommend a board game for four players",
            "Is it safe to eat eggs after the best-before date?",
            "What is a black hole?",
            "How do I remove a stain from a white shirt?",
            "Good night, talk tomorrow",
            "What's the tallest animal in the world?",
            "What is the best way to clean a cast iron pan?",
            "Who discovered penicillin?",
            "What's a good gift for someone who likes hiking?",
        ),
    ),
)


def custom_domain(name: str, spec: CustomDomain) -> Domain:
    return Domain(name, spec.description, keywords=tuple(spec.keywords), examples=tuple(spec.examples), threshold=spec.threshold)


def build_domains(routing_settings: RoutingSettings) -> list[Domain]:
    """Built-in domains plus the custom ones from settings (a custom domain named like a
    built-in one replaces it)."""
    out = {d.name: d for d in BUILTIN_DOMAINS}
    for name, spec in routing_settings.domains.items():
        out[name] = custom_domain(name, spec)
    return list(out.values())
