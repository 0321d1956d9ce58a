"""Words the synthetic population is made of: niches, names, hashtags, captions.

This is data, not logic. Everything here is fixed (it does not depend on the seed), so a query
such as "home workout" or the hashtag "gym" means the same thing in every simulated world; the
seed only decides which creators exist and what they post.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Niche:
    """One content niche: how its creators are named, what they post and which tags they use."""

    name: str
    handle_words: tuple[str, ...]
    """Suffixes of handles such as ``maya.lifts``."""
    topics: tuple[str, ...]
    """Nouns of handles such as ``fitnesswithmaya``."""
    prefixes: tuple[str, ...]
    """Titles of handles and nicknames such as ``chef_tomas42`` / ``Chef Tomás``."""
    labels: tuple[str, ...]
    taglines: tuple[str, ...]
    emojis: tuple[str, ...]
    phrases: tuple[tuple[str, tuple[str, ...]], ...]
    """What a post is about, with the hashtags that phrase usually carries."""
    tags: tuple[str, ...]
    """The niche's general hashtags, added to posts beside the phrase tags."""
    duration_s: tuple[int, int]
    like_factor: float
    """Niche norm for like/view relative to the archetype (comedy is liked more, finance less)."""
    save_factor: float
    """Saves per share: recipes and money tips are saved far more than skits."""


NICHES: tuple[Niche, ...] = (
    Niche(
        name="fitness",
        handle_words=("lifts", "fit", "strong", "gains", "runs", "moves", "trains", "sweats"),
        topics=("fitness", "strength", "pilates", "lifting", "gains"),
        prefixes=("coach", "trainer", "fit"),
        labels=(
            "Fitness Coach",
            "Strength Coach",
            "Pilates Instructor",
            "Runner",
            "Personal Trainer",
        ),
        taglines=(
            "Home workouts that actually work",
            "Strong > skinny",
            "Helping you lift with confidence",
            "Free 4-week plan below",
            "Certified PT | form first",
            "Marathon #3 loading",
        ),
        emojis=("💪", "🏋️", "🔥", "🏃"),
        phrases=(
            ("home workout", ("homeworkout", "workout")),
            ("leg day", ("legday", "workout")),
            ("glute workout", ("glutes", "workout")),
            ("full body workout", ("fullbodyworkout", "workout")),
            ("hiit cardio", ("hiit", "cardio")),
            ("morning run", ("running", "cardio")),
            ("beginner gym routine", ("gymbeginner", "gym")),
            ("pilates flow", ("pilates", "corestrength")),
            ("mobility routine", ("mobility", "stretching")),
            ("deadlift form", ("deadlift", "powerlifting")),
            ("pull up progression", ("calisthenics", "pullups")),
            ("protein breakfast", ("protein", "fitfood")),
        ),
        tags=("gym", "fitness", "gymtok", "fittok", "fitnessmotivation", "workout", "training"),
        duration_s=(12, 90),
        like_factor=1.0,
        save_factor=1.4,
    ),
    Niche(
        name="beauty",
        handle_words=("glow", "beauty", "glam", "skin", "makeup", "lashes", "blush"),
        topics=("beauty", "makeup", "skincare", "glam"),
        prefixes=("mua", "glam", "its"),
        labels=("Makeup Artist", "Skincare Nerd", "Esthetician", "Beauty Creator"),
        taglines=(
            "Skincare that won't break the bank",
            "MUA | tutorials every week",
            "Licensed esthetician",
            "Glass skin is a lifestyle",
            "Honest reviews only",
        ),
        emojis=("✨", "💄", "🧴", "💅"),
        phrases=(
            ("skincare routine", ("skincareroutine", "skincare")),
            ("makeup tutorial", ("makeuptutorial", "makeup")),
            ("everyday makeup", ("everydaymakeup", "makeup")),
            ("get ready with me", ("grwm", "makeup")),
            ("drugstore dupes", ("dupes", "drugstorefinds")),
            ("glass skin", ("glassskin", "kbeauty")),
            ("hair care routine", ("haircare", "hairtok")),
            ("lip combo", ("lipcombo", "makeup")),
            ("sunscreen review", ("sunscreen", "skincare")),
            ("nail art", ("nails", "nailart")),
            ("brow tutorial", ("brows", "makeuptutorial")),
        ),
        tags=("beauty", "beautytok", "makeup", "skincare", "skintok", "glowup"),
        duration_s=(15, 120),
        like_factor=1.05,
        save_factor=1.2,
    ),
    Niche(
        name="food",
        handle_words=("eats", "cooks", "kitchen", "bakes", "bites", "feeds", "foodie"),
        topics=("cooking", "baking", "eats", "food"),
        prefixes=("chef", "cook", "baker"),
        labels=("Home Cook", "Chef", "Baker", "Food Critic", "Recipe Developer"),
        taglines=(
            "Easy recipes for busy people",
            "Cookbook out now",
            "Feeding you one recipe at a time",
            "Budget meals that slap",
            "Pastry chef turned creator",
            "Recipes on my site",
        ),
        emojis=("🍝", "🍳", "🥘", "🍰", "🌮"),
        phrases=(
            ("easy dinner", ("easyrecipe", "dinnerideas")),
            ("high protein meal prep", ("mealprep", "highprotein")),
            ("15 minute pasta", ("pasta", "easyrecipe")),
            ("air fryer recipe", ("airfryer", "airfryerrecipes")),
            ("sourdough bread", ("sourdough", "baking")),
            ("street food", ("streetfood", "foodie")),
            ("budget meals", ("budgetmeals", "cheapeats")),
            ("chocolate cake", ("baking", "dessert")),
            ("ramen hack", ("ramen", "foodhack")),
            ("protein pancakes", ("protein", "breakfast")),
            ("taco night", ("tacos", "dinnerideas")),
            ("restaurant review", ("foodreview", "foodie")),
        ),
        tags=("food", "foodtok", "recipe", "cooking", "foodie", "yummy"),
        duration_s=(20, 180),
        like_factor=0.95,
        save_factor=2.5,
    ),
    Niche(
        name="gaming",
        handle_words=("plays", "gg", "games", "clips", "ttv", "gamer", "frags"),
        topics=("gaming", "games", "clips"),
        prefixes=("its", "xx", "pro"),
        labels=("Streamer", "Gamer", "Speedrunner", "Content Creator"),
        taglines=(
            "Live on Twitch most nights",
            "Clips daily",
            "Top 500 ranked",
            "Cozy games only",
            "Speedrunner | PBs posted",
        ),
        emojis=("🎮", "🕹️", "👾", "🏆"),
        phrases=(
            ("minecraft build", ("minecraft", "minecraftbuilds")),
            ("fortnite win", ("fortnite", "victoryroyale")),
            ("valorant clutch", ("valorant", "clutch")),
            ("speedrun attempt", ("speedrun", "gamingclips")),
            ("gaming setup", ("gamingsetup", "setup")),
            ("cozy games", ("cozygames", "nintendoswitch")),
            ("elden ring boss", ("eldenring", "soulslike")),
            ("funny gaming moments", ("gamingclips", "funnymoments")),
            ("ranked grind", ("ranked", "competitive")),
            ("retro gaming", ("retrogaming", "nintendo")),
            ("indie game", ("indiegame", "gamedev")),
        ),
        tags=("gaming", "gamer", "gamingtok", "gameplay", "videogames", "twitch"),
        duration_s=(10, 90),
        like_factor=1.0,
        save_factor=0.4,
    ),
    Niche(
        name="finance",
        handle_words=("money", "invests", "finance", "budget", "cents", "wealth", "stocks"),
        topics=("money", "finance", "investing", "budgeting"),
        prefixes=("the", "its", "mr"),
        labels=("Money Coach", "CFA", "Financial Educator", "Investor", "CPA"),
        taglines=(
            "Helping you build wealth slowly",
            "Not financial advice",
            "Paid off $80k of debt",
            "Index funds and chill",
            "Free budget template below",
        ),
        emojis=("💸", "📈", "💰", "🏦"),
        phrases=(
            ("budgeting tips", ("budgeting", "moneytips")),
            ("index funds", ("indexfunds", "investing")),
            ("side hustle", ("sidehustle", "makemoneyonline")),
            ("credit score", ("creditscore", "personalfinance")),
            ("saving money", ("savingmoney", "moneytips")),
            ("stock market", ("stocks", "stockmarket")),
            ("retire early", ("fire", "financialfreedom")),
            ("high yield savings", ("hysa", "savingmoney")),
            ("tax tips", ("taxes", "moneytips")),
            ("first home", ("homebuying", "realestate")),
            ("debt payoff", ("debtfree", "budgeting")),
        ),
        tags=("finance", "financetok", "money", "personalfinance", "investing", "moneytok"),
        duration_s=(20, 150),
        like_factor=0.75,
        save_factor=2.8,
    ),
    Niche(
        name="travel",
        handle_words=("travels", "wanders", "abroad", "roams", "explores", "passport", "away"),
        topics=("travel", "wanderlust", "adventures"),
        prefixes=("the", "nomad", "its"),
        labels=("Travel Creator", "Digital Nomad", "Travel Photographer", "Backpacker"),
        taglines=(
            "62 countries and counting",
            "Hidden gems and budget trips",
            "Full-time traveler",
            "Guides on my blog",
            "Solo female travel",
        ),
        emojis=("✈️", "🌍", "🏝️", "🗺️"),
        phrases=(
            ("travel vlog", ("travelvlog", "travel")),
            ("hidden gems", ("hiddengems", "travelguide")),
            ("budget travel", ("budgettravel", "backpacking")),
            ("solo travel", ("solotravel", "travel")),
            ("packing tips", ("packingtips", "carryon")),
            ("road trip", ("roadtrip", "vanlife")),
            ("beach day", ("beach", "islandlife")),
            ("japan itinerary", ("japan", "tokyo")),
            ("europe summer", ("europe", "eurosummer")),
            ("hotel review", ("hotelreview", "luxurytravel")),
            ("airport hacks", ("airporthacks", "traveltips")),
        ),
        tags=("travel", "traveltok", "wanderlust", "traveltips", "explore", "vacation"),
        duration_s=(15, 120),
        like_factor=0.95,
        save_factor=2.0,
    ),
    Niche(
        name="comedy",
        handle_words=("funny", "jokes", "lol", "skits", "laughs", "memes", "bits"),
        topics=("comedy", "skits", "jokes"),
        prefixes=("not", "its", "lil"),
        labels=("Comedian", "Skit Creator", "Improv Nerd", "Professional Yapper"),
        taglines=(
            "I make skits about everything",
            "Touring this spring",
            "Part-time comedian full-time menace",
            "Your daily dose of chaos",
            "Characters and impressions",
        ),
        emojis=("😂", "💀", "🤣", "🎭"),
        phrases=(
            ("pov skit", ("pov", "skit")),
            ("office humor", ("officehumor", "corporatelife")),
            ("relatable moments", ("relatable", "funny")),
            ("harmless prank", ("prank", "pranks")),
            ("celebrity impressions", ("impressions", "comedy")),
            ("parents be like", ("parents", "momlife")),
            ("roommate problems", ("roommates", "relatable")),
            ("dating fails", ("dating", "datingfails")),
            ("school memes", ("school", "memes")),
            ("stand up clip", ("standup", "standupcomedy")),
        ),
        tags=("comedy", "funny", "humor", "lol", "skits", "comedytok"),
        duration_s=(8, 75),
        like_factor=1.2,
        save_factor=0.35,
    ),
    Niche(
        name="tech",
        handle_words=("tech", "codes", "gadgets", "builds", "dev", "unboxes", "bytes"),
        topics=("tech", "gadgets", "coding"),
        prefixes=("dev", "its", "the"),
        labels=("Tech Reviewer", "Software Engineer", "Gadget Nerd", "Developer"),
        taglines=(
            "Honest tech reviews",
            "Software engineer sharing what I learn",
            "Desk setups and gadgets",
            "Making tech simple",
            "Python and coffee",
        ),
        emojis=("💻", "📱", "⌨️", "🤖"),
        phrases=(
            ("iphone tips", ("iphone", "iphonetricks")),
            ("tech unboxing", ("unboxing", "newtech")),
            ("coding tutorial", ("coding", "programming")),
            ("desk setup", ("desksetup", "setup")),
            ("ai tools", ("ai", "aitools")),
            ("budget laptop", ("laptop", "techreview")),
            ("mechanical keyboard", ("mechanicalkeyboard", "keyboard")),
            ("smart home", ("smarthome", "gadgets")),
            ("android tricks", ("android", "techtips")),
            ("build a pc", ("pcbuild", "gamingpc")),
            ("python tips", ("python", "coding")),
        ),
        tags=("tech", "techtok", "gadgets", "techreview", "technology", "techtips"),
        duration_s=(15, 150),
        like_factor=0.85,
        save_factor=1.6,
    ),
    Niche(
        name="pets",
        handle_words=("pets", "paws", "pup", "cats", "doggo", "critters", "zoo"),
        topics=("dogs", "cats", "pets", "paws"),
        prefixes=("the", "lil", "its"),
        labels=("Dog Trainer", "Cat Parent", "Pet Rescuer", "Vet Tech"),
        taglines=(
            "Three dogs, zero chill",
            "Rescue mom | adopt don't shop",
            "Certified dog trainer",
            "The cats run this account",
            "Vet tech sharing pet tips",
        ),
        emojis=("🐶", "🐱", "🐾", "🐰"),
        phrases=(
            ("puppy training", ("puppytraining", "dogtraining")),
            ("cat zoomies", ("zoomies", "catsoftiktok")),
            ("dog grooming", ("doggrooming", "grooming")),
            ("rescue dog story", ("rescuedog", "adoptdontshop")),
            ("funny cats", ("funnycats", "catsoftiktok")),
            ("golden retriever", ("goldenretriever", "dogsoftiktok")),
            ("bunny care", ("bunny", "rabbits")),
            ("talking parrot", ("parrot", "birds")),
            ("pet haul", ("pethaul", "petproducts")),
            ("homemade dog treats", ("dogtreats", "dogsoftiktok")),
        ),
        tags=("pets", "petsoftiktok", "dogsoftiktok", "catsoftiktok", "cute", "animals"),
        duration_s=(8, 60),
        like_factor=1.15,
        save_factor=0.6,
    ),
    Niche(
        name="fashion",
        handle_words=("style", "fits", "wears", "thrifts", "closet", "drip", "styled"),
        topics=("style", "fashion", "outfits"),
        prefixes=("styled", "its", "the"),
        labels=("Stylist", "Fashion Creator", "Thrift Queen", "Sneakerhead"),
        taglines=(
            "Outfits for real bodies",
            "Thrift flips weekly",
            "Personal stylist | DM for sessions",
            "Capsule wardrobe advocate",
            "Sneakers and streetwear",
        ),
        emojis=("👗", "👟", "🧥", "🛍️"),
        phrases=(
            ("outfit ideas", ("outfitideas", "ootd")),
            ("thrift haul", ("thrifthaul", "thrifted")),
            ("capsule wardrobe", ("capsulewardrobe", "minimalist")),
            ("fall outfits", ("falloutfits", "ootd")),
            ("sneaker collection", ("sneakers", "sneakerhead")),
            ("styling tips", ("stylingtips", "fashiontips")),
            ("streetwear fit", ("streetwear", "fitcheck")),
            ("try on haul", ("tryonhaul", "haul")),
            ("wedding guest dress", ("weddingguest", "dresses")),
            ("old money style", ("oldmoney", "classicstyle")),
            ("how to style jeans", ("denim", "stylingtips")),
        ),
        tags=("fashion", "fashiontok", "style", "ootd", "outfitinspo", "fitcheck"),
        duration_s=(10, 90),
        like_factor=1.05,
        save_factor=1.3,
    ),
)

NICHE_BY_NAME: dict[str, Niche] = {niche.name: niche for niche in NICHES}

GENERIC_TAGS: tuple[str, ...] = ("fyp", "foryou", "foryoupage", "viral", "trending")

FIRST_NAMES: tuple[str, ...] = (
    "maya", "tomas", "lena", "jay", "priya", "marcus", "sofia", "kenji", "amara", "diego",
    "chloe", "omar", "nina", "leo", "aisha", "ethan", "yuna", "mateo", "zoe", "ravi",
    "hana", "luca", "ivy", "noah", "fatima", "sam", "elena", "kai", "jade", "andre",
    "mia", "theo", "layla", "oscar", "ruby", "felix", "sara", "malik", "nora", "jonah",
    "alba", "devon", "keira", "arjun", "lucia", "finn", "imani", "hugo", "tessa", "bruno",
    "rosa", "eli", "mina", "caleb", "zara", "rafael", "lily", "dante", "anya", "miles",
    "grace", "yusuf", "bea", "colin", "nadia", "reza", "june", "ari", "sienna", "tariq",
)  # fmt: skip

DISPLAY_NAMES: dict[str, str] = {
    "tomas": "Tomás", "andre": "André", "lucia": "Lucía", "elena": "Elena", "rafael": "Rafael",
    "mateo": "Mateo", "bea": "Bea", "zoe": "Zoë", "hugo": "Hugo",
}  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "chen", "silva", "patel", "nguyen", "okafor", "garcia", "kim", "rossi", "muller", "haddad",
    "park", "santos", "johnson", "lopez", "ito", "kowalski", "brown", "dubois", "ali", "singh",
    "moreau", "costa", "reyes", "berg", "novak", "adeyemi", "tanaka", "walsh", "khan", "romero",
)  # fmt: skip

CAPTION_TEMPLATES: tuple[str, ...] = (
    "{P} that actually works",
    "POV: you finally tried {p}",
    "My {p} in 60 seconds",
    "Day {n} of {p} until it clicks",
    "Save this for your next {p}",
    "{P} (part {k})",
    "Rating {p} so you don't have to",
    "The {p} nobody talks about",
    "{P} for beginners",
    "Things I wish I knew about {p}",
    "Honest {p} review",
    "Trying the viral {p}",
    "{P} {e}",
    "Is {p} worth it? Let's find out",
    "Replying to comments: {p} edition",
    "{P} but make it quick",
)

MUSIC: tuple[tuple[str, str], ...] = (
    ("Midnight Drive", "Luna Vale"),
    ("Paper Planes Again", "The Static Hours"),
    ("Golden Hour Loop", "Kairo"),
    ("Slow Burn", "Ada Quinn"),
    ("Neon Summer", "Pixel Coast"),
    ("Runaway Tonight", "Marlow"),
    ("Lo-fi Morning", "Cafe Tapes"),
    ("Bassline Theory", "DJ Orbit"),
    ("Feel It Now", "Sunny Ray"),
    ("Heartbeat Remix", "Vela"),
    ("Stay Wavy", "Coastline Kids"),
    ("Main Character", "Juno Blue"),
)

REGIONS: tuple[tuple[str, float], ...] = (
    ("US", 0.46), ("GB", 0.1), ("CA", 0.07), ("AU", 0.05), ("DE", 0.04), ("FR", 0.04),
    ("BR", 0.06), ("MX", 0.05), ("PH", 0.04), ("IN", 0.03), ("NG", 0.03), ("JP", 0.03),
)  # fmt: skip

STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "best", "by", "for", "from", "how", "i", "in",
        "is", "it", "my", "of", "on", "or", "the", "this", "to", "top", "what", "with", "you",
        "your", "vs", "new", "video", "videos", "tiktok",
    }
)  # fmt: skip
