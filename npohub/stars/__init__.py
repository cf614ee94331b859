"""Monthly 10-point scoring (月规范), the annual star rating (年考核, 1–5 stars) and excellence awards."""
