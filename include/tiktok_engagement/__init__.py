"""TikTok engagement warehouse library (framework-free: never imports Airflow)."""
