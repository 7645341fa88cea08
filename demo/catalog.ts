/** Skillbridge Academy's catalogue: the demo provider's three micro-credentials (prices in paise). */
export type DemoCourse = {
  short: string;
  slug: string;
  title: string;
  tagline: string;
  weeks: number;
  price: number;
  outcomes: string[];
};

export const demoCatalog: DemoCourse[] = [
  {
    slug: "data-analytics",
    title: "Data Analytics Professional Certificate",
    short: "Data Analytics",
    tagline: "SQL, spreadsheets, Power BI and storytelling with data, built around real business cases.",
    weeks: 12,
    price: 2_499_900,
    outcomes: ["Clean and model data in SQL", "Build dashboards in Power BI", "Present insights to stakeholders"],
  },
  {
    slug: "digital-marketing",
    title: "Digital Marketing Micro-credential",
    short: "Digital Marketing",
    tagline: "Search, social and performance marketing, measured end to end.",
    weeks: 8,
    price: 1_499_900,
    outcomes: ["Plan a paid search campaign", "Grow an audience on social", "Read a marketing funnel"],
  },
  {
    slug: "python-for-ai",
    title: "Python for AI",
    short: "Python for AI",
    tagline: "From Python basics to training and shipping your first machine-learning models.",
    weeks: 10,
    price: 1_999_900,
    outcomes: ["Write idiomatic Python", "Train models with scikit-learn", "Deploy a model behind an API"],
  },
];

export const inr = (paise: number) =>
  new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", maximumFractionDigits: 0 }).format(paise / 100);
