"""Comments: scoring what a video's comments say (sentiment, language, questions, purchase intent,
generic praise) offline, and the step that scores landed comments into ``comment_scores``."""
