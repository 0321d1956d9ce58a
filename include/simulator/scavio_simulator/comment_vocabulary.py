"""Words the simulated comments are made of: slang, emoji, questions, complaints, brands, languages.

Data, not logic (see ``comments.py`` for how it is drawn). Written for the project: short, slangy,
emoji-heavy TikTok comments in the style of the platform, in several languages. Every line is a
``(text, sentiment)`` pair, sentiment one of ``positive``, ``neutral``, ``negative``: the label the
text is written to carry, kept on the simulator's side so tests can check that a scorer reads
the world roughly right. Placeholders: ``{brand}`` a brand handle without the ``@``, ``{product}``
a product word of the niche, ``{friend}`` another account's handle, ``{emoji}`` one of the
niche's emoji.

Brands are invented (no real company's handle), so no comment in the world is about a real one.
"""

from __future__ import annotations

Line = tuple[str, str]

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"

# -- English, by kind -------------------------------------------------------------------------------

PRAISE: tuple[Line, ...] = (
    ("this ate 😭", POSITIVE),
    ("ate and left no crumbs", POSITIVE),
    ("obsessed with this", POSITIVE),
    ("you never miss", POSITIVE),
    ("slay", POSITIVE),
    ("W video", POSITIVE),
    ("goated content fr", POSITIVE),
    ("the way I screamed 😭", POSITIVE),
    ("ok this is actually so good", POSITIVE),
    ("I'm saving this forever", POSITIVE),
    ("best account on here no cap", POSITIVE),
    ("this is everything", POSITIVE),
    ("10/10 no notes", POSITIVE),
    ("core memory unlocked", POSITIVE),
    ("why is this so satisfying", POSITIVE),
    ("you deserve way more followers", POSITIVE),
    ("literally made my day", POSITIVE),
    ("the {product} looks so good", POSITIVE),
    ("I tried this and it actually works!!", POSITIVE),
    ("needed this today thank you", POSITIVE),
    ("ur so underrated", POSITIVE),
    ("mother is mothering", POSITIVE),
    ("chef's kiss", POSITIVE),
    ("this deserves to blow up", POSITIVE),
    ("the talent 😍", POSITIVE),
    ("iconic behaviour", POSITIVE),
    ("I love how you explain things", POSITIVE),
    ("been following since 2k followers and so proud", POSITIVE),
)

RELATABLE: tuple[Line, ...] = (
    ("no because why is this so real", NEUTRAL),
    ("me fr", NEUTRAL),
    ("pov: me at 3am", NEUTRAL),
    ("the algorithm knows me too well", NEUTRAL),
    ("who else is watching this at work", NEUTRAL),
    ("first", NEUTRAL),
    ("part 2?", NEUTRAL),
    ("here before this blows up", NEUTRAL),
    ("this is so me", NEUTRAL),
    ("my mom does this", NEUTRAL),
    ("watching this instead of sleeping", NEUTRAL),
    ("I'm in this picture and I don't like it", NEUTRAL),
    ("commenting for the algorithm", NEUTRAL),
    ("ok but the cat in the background", NEUTRAL),
    ("day 3 of asking for a part 2", NEUTRAL),
    ("the ending 💀", NEUTRAL),
)

QUESTION: tuple[Line, ...] = (
    ("where is this from??", NEUTRAL),
    ("what song is this", NEUTRAL),
    ("how long did this take?", NEUTRAL),
    ("what camera do you use", NEUTRAL),
    ("does this work for beginners?", NEUTRAL),
    ("what {product} is that?", NEUTRAL),
    ("is this safe to do every day?", NEUTRAL),
    ("can you do a tutorial", NEUTRAL),
    ("recipe?", NEUTRAL),
    ("what app is this", NEUTRAL),
    ("how much did it cost", NEUTRAL),
    ("wait how did you do that", NEUTRAL),
    ("is this sponsored?", NEUTRAL),
)

PURCHASE: tuple[Line, ...] = (
    ("link?", NEUTRAL),
    ("where can I buy this", NEUTRAL),
    ("need the link pls", NEUTRAL),
    ("drop the link 🙏", NEUTRAL),
    ("is the {product} on amazon?", NEUTRAL),
    ("just ordered the {product} 😍", POSITIVE),
    ("adding this to my cart rn", POSITIVE),
    ("does the code still work?", NEUTRAL),
    ("where did you get the {product}", NEUTRAL),
    ("I need this {product} asap", POSITIVE),
    ("is it worth the price?", NEUTRAL),
)

BRAND: tuple[Line, ...] = (
    ("@{brand} did it better tbh", NEGATIVE),
    ("is this the @{brand} one?", NEUTRAL),
    ("@{brand} sponsor this person already", POSITIVE),
    ("love my @{brand} {product}", POSITIVE),
    ("@{brand} {product} broke after a week 😤", NEGATIVE),
    ("@{brand} please restock", NEUTRAL),
    ("the @{brand} {product} is so worth it", POSITIVE),
    ("@{brand} customer service never answered me", NEGATIVE),
)

NEGATIVE_LINES: tuple[Line, ...] = (
    ("mid", NEGATIVE),
    ("this ain't it", NEGATIVE),
    ("cringe", NEGATIVE),
    ("nobody asked", NEGATIVE),
    ("ratio", NEGATIVE),
    ("so fake", NEGATIVE),
    ("clickbait", NEGATIVE),
    ("this is terrible advice", NEGATIVE),
    ("worst one yet", NEGATIVE),
    ("why is this on my fyp", NEGATIVE),
    ("unfollowing", NEGATIVE),
    ("the {product} looks cheap", NEGATIVE),
    ("boring", NEGATIVE),
    ("I tried it and it didn't work at all", NEGATIVE),
    ("you used to be good", NEGATIVE),
)

COMPLAINT: tuple[Line, ...] = (
    ("you should apologize", NEGATIVE),
    ("not after what you did", NEGATIVE),
    ("why is nobody talking about the scam", NEGATIVE),
    ("unfollowed after the drama", NEGATIVE),
    ("deleting comments won't help", NEGATIVE),
    ("you've changed and not in a good way", NEGATIVE),
    ("stop spreading misinformation", NEGATIVE),
    ("my {product} from your link never arrived", NEGATIVE),
    ("scammer", NEGATIVE),
    ("another ad 🙄", NEGATIVE),
    ("this is dangerous, please don't try this", NEGATIVE),
    ("refund me", NEGATIVE),
    ("so disappointed in you", NEGATIVE),
    ("the audacity", NEGATIVE),
    ("everyone report this", NEGATIVE),
)

SARCASM: tuple[Line, ...] = (
    ("wow so original 🙄", NEGATIVE),
    ("oh yeah totally real", NEGATIVE),
    ("sure jan", NEGATIVE),
    ("love how this is the 5th ad today", NEGATIVE),
    ("nothing says authentic like a discount code", NEGATIVE),
    ("great, another life hack that doesn't work", NEGATIVE),
    ("groundbreaking. truly.", NEGATIVE),
    ("can't wait for part 47", NEGATIVE),
    ("yeah because everyone has 3 hours a day for this", NEGATIVE),
)

MIXED: tuple[Line, ...] = (
    ("love you but this one is mid", NEGATIVE),
    ("the {product} is cute but the song 😬", NEUTRAL),
    ("good tips but way too long", NEUTRAL),
    ("pretty but so overpriced", NEUTRAL),
    ("not bad, the last one was better", NEUTRAL),
    ("I laughed but also this is concerning", NEUTRAL),
    ("looks amazing but I could never", POSITIVE),
)

TAG: tuple[Line, ...] = (
    ("@{friend}", NEUTRAL),
    ("@{friend} this is us", NEUTRAL),
    ("@{friend} we need to try this", POSITIVE),
    ("@{friend} look 😂", NEUTRAL),
    ("@{friend} @{friend2}", NEUTRAL),
)

EMOJI_ONLY: tuple[Line, ...] = (
    ("💀💀💀", POSITIVE),
    ("😭😭😭", POSITIVE),
    ("🔥🔥", POSITIVE),
    ("😍😍", POSITIVE),
    ("👏👏👏", POSITIVE),
    ("🤣🤣", POSITIVE),
    ("❤️", POSITIVE),
    ("🙌", POSITIVE),
    ("😂", POSITIVE),
    ("🥹", POSITIVE),
    ("{emoji}{emoji}", POSITIVE),
    ("👀", NEUTRAL),
    ("🤔", NEUTRAL),
    ("😬", NEGATIVE),
    ("🙄", NEGATIVE),
    ("🤮", NEGATIVE),
    ("👎", NEGATIVE),
)

GENERIC_PRAISE: tuple[str, ...] = (
    "nice 🔥",
    "love this",
    "great content",
    "🔥🔥",
    "amazing",
    "so good",
    "wow",
    "great post",
    "nice",
    "love it ❤️",
    "awesome 👏",
    "🔥🔥🔥",
    "👏👏",
    "😍",
    "keep it up",
    "beautiful",
)
"""What pod members and bots leave: praise of one to three words, or emoji only."""

# -- other languages: (text, sentiment) per kind ------------------------------------------------------

FOREIGN: dict[str, dict[str, tuple[Line, ...]]] = {
    "es": {
        "praise": (
            ("me encanta 😍", POSITIVE),
            ("qué bonito", POSITIVE),
            ("eres la mejor", POSITIVE),
            ("increíble, gracias por compartir", POSITIVE),
            ("jajaja me muero", POSITIVE),
        ),
        "negative": (
            ("qué asco", NEGATIVE),
            ("esto es horrible", NEGATIVE),
            ("muy malo, no lo recomiendo", NEGATIVE),
            ("qué vergüenza", NEGATIVE),
        ),
        "question": (("¿de dónde es?", NEUTRAL), ("¿cómo se llama la canción?", NEUTRAL)),
        "purchase": (
            ("donde lo compro", NEUTRAL),
            ("link porfa", NEUTRAL),
            ("¿cuánto cuesta?", NEUTRAL),
        ),
        "relatable": (("literal yo", NEUTRAL), ("parte 2 por favor", NEUTRAL)),
    },
    "pt": {
        "praise": (
            ("amei demais", POSITIVE),
            ("que lindo", POSITIVE),
            ("kkkkkk muito bom", POSITIVE),
            ("perfeita como sempre", POSITIVE),
        ),
        "negative": (
            ("que vergonha", NEGATIVE),
            ("muito ruim", NEGATIVE),
            ("não gostei", NEGATIVE),
        ),
        "question": (("qual é a música?", NEUTRAL), ("onde fica isso?", NEUTRAL)),
        "purchase": (("onde compro isso", NEUTRAL), ("manda o link", NEUTRAL)),
        "relatable": (("eu sou assim", NEUTRAL), ("parte 2 pfv", NEUTRAL)),
    },
    "de": {
        "praise": (
            ("richtig gut", POSITIVE),
            ("wie geil ist das denn", POSITIVE),
            ("einfach nur wow", POSITIVE),
            ("danke für das video", POSITIVE),
        ),
        "negative": (
            ("so schlecht", NEGATIVE),
            ("einfach nur peinlich", NEGATIVE),
            ("totaler quatsch", NEGATIVE),
        ),
        "question": (("wie heißt das lied?", NEUTRAL), ("wo ist das?", NEUTRAL)),
        "purchase": (("wo kann man das kaufen", NEUTRAL), ("link bitte", NEUTRAL)),
        "relatable": (("ich bin das", NEUTRAL), ("teil 2 bitte", NEUTRAL)),
    },
    "fr": {
        "praise": (
            ("trop bien", POSITIVE),
            ("j'adore", POSITIVE),
            ("magnifique 😍", POSITIVE),
            ("ptdr trop drôle", POSITIVE),
        ),
        "negative": (
            ("c'est nul", NEGATIVE),
            ("n'importe quoi", NEGATIVE),
            ("franchement décevant", NEGATIVE),
        ),
        "question": (("c'est quoi la musique ?", NEUTRAL), ("c'est où ?", NEUTRAL)),
        "purchase": (("lien svp", NEUTRAL), ("où est-ce qu'on peut l'acheter ?", NEUTRAL)),
        "relatable": (("moi en vrai", NEUTRAL), ("partie 2 stp", NEUTRAL)),
    },
    "id": {
        "praise": (
            ("keren banget kak", POSITIVE),
            ("wkwkwk lucu banget", POSITIVE),
            ("mantap", POSITIVE),
        ),
        "negative": (("jelek banget", NEGATIVE), ("gak jelas", NEGATIVE)),
        "question": (("lagunya apa kak?", NEUTRAL),),
        "purchase": (("beli dimana kak", NEUTRAL), ("spill link dong", NEUTRAL)),
        "relatable": (("aku banget", NEUTRAL),),
    },
    "it": {
        "praise": (("bellissimo", POSITIVE), ("che brava", POSITIVE)),
        "negative": (("che schifo", NEGATIVE),),
        "question": (("dove si compra?", NEUTRAL),),
        "purchase": (("link per favore", NEUTRAL),),
        "relatable": (("sono io", NEUTRAL),),
    },
    "tr": {
        "praise": (("çok güzel", POSITIVE), ("harika olmuş", POSITIVE)),
        "negative": (("berbat", NEGATIVE),),
        "question": (("şarkının adı ne?", NEUTRAL),),
        "purchase": (("nereden aldın?", NEUTRAL),),
        "relatable": (("aynı ben", NEUTRAL),),
    },
    "ja": {
        "praise": (("かわいい", POSITIVE), ("すごい！", POSITIVE)),
        "negative": (("つまらない", NEGATIVE),),
        "question": (("これどこですか？", NEUTRAL),),
        "purchase": (("どこで買えますか", NEUTRAL),),
        "relatable": (("わかる", NEUTRAL),),
    },
    "ko": {
        "praise": (("대박", POSITIVE), ("너무 좋아요", POSITIVE)),
        "negative": (("별로예요", NEGATIVE),),
        "question": (("노래 제목이 뭐예요?", NEUTRAL),),
        "purchase": (("어디서 사요?", NEUTRAL),),
        "relatable": (("완전 나", NEUTRAL),),
    },
    "tl": {
        "praise": (("ang ganda naman", POSITIVE), ("galing mo po", POSITIVE)),
        "negative": (("pangit", NEGATIVE),),
        "question": (("saan po ito?", NEUTRAL),),
        "purchase": (("saan po nabibili", NEUTRAL),),
        "relatable": (("ako to", NEUTRAL),),
    },
}

LANGUAGE_MIX: tuple[tuple[str, float], ...] = (
    ("en", 0.72),
    ("es", 0.08),
    ("pt", 0.05),
    ("de", 0.04),
    ("fr", 0.04),
    ("id", 0.025),
    ("it", 0.01),
    ("tr", 0.01),
    ("ja", 0.0075),
    ("ko", 0.0075),
    ("tl", 0.01),
)
"""Languages of a creator's commenters before the creator's region tilts them."""

REGION_LANGUAGE: dict[str, str] = {
    "DE": "de",
    "FR": "fr",
    "BR": "pt",
    "MX": "es",
    "PH": "tl",
    "JP": "ja",
}
"""A creator posting from one of these regions draws about 40% of its comments in that language."""

# -- brands, products, handles ----------------------------------------------------------------------

BRANDS: dict[str, tuple[str, ...]] = {
    "fitness": ("peakfuel", "ironcore", "flexwear"),
    "beauty": ("glowlab", "lumeskin", "velvetbeauty"),
    "food": ("panpro", "spicejar", "crumbco"),
    "gaming": ("pixelforge", "nexuspad", "rgbgear"),
    "finance": ("coinnest", "budgetly", "stackapp"),
    "travel": ("roamly", "packlite", "skyhop"),
    "comedy": ("snackbox", "fizzup", "laughtrack"),
    "tech": ("voltcase", "nimbusaudio", "gridphone"),
    "pets": ("pawsome", "furfresh", "woofco"),
    "fashion": ("threadline", "lunastudio", "kikiwear"),
}
"""Invented brand handles per niche, used by comments and by sponsored posts."""

BRAND_NAMES: dict[str, str] = {
    "peakfuel": "PeakFuel",
    "ironcore": "IronCore",
    "flexwear": "FlexWear",
    "glowlab": "GlowLab",
    "lumeskin": "Lumé Skin",
    "velvetbeauty": "Velvet Beauty",
    "panpro": "PanPro",
    "spicejar": "SpiceJar",
    "crumbco": "Crumb & Co",
    "pixelforge": "PixelForge",
    "nexuspad": "NexusPad",
    "rgbgear": "RGB Gear",
    "coinnest": "CoinNest",
    "budgetly": "Budgetly",
    "stackapp": "StackApp",
    "roamly": "Roamly",
    "packlite": "PackLite",
    "skyhop": "SkyHop",
    "snackbox": "SnackBox",
    "fizzup": "FizzUp",
    "laughtrack": "LaughTrack",
    "voltcase": "VoltCase",
    "nimbusaudio": "Nimbus Audio",
    "gridphone": "GridPhone",
    "pawsome": "Pawsome",
    "furfresh": "FurFresh",
    "woofco": "Woof & Co",
    "threadline": "Threadline",
    "lunastudio": "Luna Studio",
    "kikiwear": "KikiWear",
}
"""How captions write each brand's name (some with a space or an accent: "Lumé Skin"), beside
the handle (``@lumeskin``) and the hashtag (``#lumeskin``) they also use."""

PRODUCTS: dict[str, tuple[str, ...]] = {
    "fitness": ("pre workout", "protein powder", "leggings", "resistance bands", "lifting straps"),
    "beauty": ("serum", "foundation", "lip oil", "concealer", "sunscreen"),
    "food": ("air fryer", "knife", "pan", "spice mix", "blender"),
    "gaming": ("controller", "headset", "keyboard", "mouse", "chair"),
    "finance": ("budgeting app", "course", "card", "ebook"),
    "travel": ("backpack", "packing cubes", "suitcase", "travel pillow"),
    "comedy": ("hoodie", "merch", "mug"),
    "tech": ("phone case", "earbuds", "charger", "laptop stand"),
    "pets": ("harness", "treats", "toy", "bed"),
    "fashion": ("jacket", "jeans", "bag", "sneakers", "dress"),
}

COMMENTER_WORDS: tuple[str, ...] = (
    "vibes", "xo", "daily", "official", "lover", "fan", "mood", "world", "life", "club",
    "zone", "babe", "king", "queen", "bby", "irl", "pics", "life", "era", "core",
)  # fmt: skip

REPLIES: tuple[Line, ...] = (
    ("fr", NEUTRAL),
    ("same 😭", NEUTRAL),
    ("right??", NEUTRAL),
    ("😂😂😂", POSITIVE),
    ("no literally", NEUTRAL),
    ("I was about to say this", NEUTRAL),
    ("this comment 💀", POSITIVE),
    ("it's in the bio", NEUTRAL),
    ("linked in their profile", NEUTRAL),
    ("exactly what I was thinking", NEUTRAL),
    ("stop it's so true", POSITIVE),
    ("nah you're wrong", NEGATIVE),
    ("why are you like this", NEGATIVE),
    ("take my like and leave", NEUTRAL),
)
"""Replies by other viewers (their language follows the parent comment's only when English)."""

CREATOR_REPLIES: tuple[Line, ...] = (
    ("thank you so much!! 🥰", POSITIVE),
    ("link in bio!", NEUTRAL),
    ("part 2 coming soon 👀", NEUTRAL),
    ("haha yes 😂", POSITIVE),
    ("I'll do a tutorial this week", NEUTRAL),
    ("appreciate you ❤️", POSITIVE),
)
"""Replies by the video's creator themself."""
