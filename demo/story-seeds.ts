/** The success stories of the demo history: every outcome type, some by advocates, two left pending. */
import type { OutcomeType } from "../server/services/stories.ts";

export type StorySeed = {
  course: string;
  /** An advocate's sub (their completion makes the story provider-attested), or a name. */
  author: string;
  headline: string;
  body: string;
  rating: number;
  outcome: OutcomeType;
  pct?: number;
  months?: number;
  consentName?: boolean;
  consentSalary?: boolean;
  featured?: boolean;
  status?: "approved" | "pending";
  /** Posted with a learner token (the learner exists, but no completion was reported). */
  linked?: boolean;
  /** Posted with the demo provider's Open Badges 3.0 credential, issued to the author (demo/credentials.ts). */
  credential?: boolean;
};

export const storySeeds: StorySeed[] = [
  {
    course: "data-analytics",
    author: "sb-ananya",
    headline: "Promoted to Senior Analyst within four months",
    body: "I was the person who built the monthly Excel reports by hand. After the SQL and Power BI modules I automated all of it, and my manager asked me to lead our analytics for the warehouse network. The capstone on delivery delays became the first dashboard our operations head opens every morning.",
    rating: 5,
    outcome: "promotion",
    pct: 28,
    months: 4,
    featured: true,
    credential: true,
  },
  {
    course: "data-analytics",
    author: "sb-rohan",
    headline: "From accounts executive to data analyst at a fintech",
    body: "Three years of reconciliations taught me the data; this course taught me what to do with it. I showed my capstone portfolio in every interview and got two offers. The mock stakeholder presentations helped more than I expected.",
    rating: 5,
    outcome: "new_job",
    pct: 45,
    months: 3,
  },
  {
    course: "data-analytics",
    author: "sb-meera",
    headline: "I left teaching for analytics, and I still get to explain things",
    body: "I taught maths for nine years. Evenings and weekends for twelve weeks were hard with two children, but the mentors replied the same day every time. I now analyse learning data for an ed-tech company.",
    rating: 5,
    outcome: "career_switch",
    pct: 60,
    months: 6,
    featured: true,
    credential: true,
  },
  {
    course: "data-analytics",
    author: "sb-daniel",
    headline: "A raise after automating our sales reporting",
    body: "I work remotely for a distribution company. The SQL modules were practical from week one: I rebuilt our weekly sales report so it refreshes itself, and it was mentioned in my review.",
    rating: 4,
    outcome: "salary_increase",
    pct: 22,
    months: 2,
  },
  {
    course: "data-analytics",
    author: "sb-aisha",
    headline: "New role in Dubai as a business intelligence analyst",
    body: "The Power BI projects were what recruiters asked about. I would have liked more on Python, but for a BI role this was exactly right.",
    rating: 4,
    outcome: "new_job",
    pct: 35,
    months: 5,
    consentSalary: false,
  },
  {
    course: "data-analytics",
    author: "sb-tom",
    headline: "Now leading the reporting team I joined two years ago",
    body: "I knew spreadsheets well but not how to tell a story with data. The storytelling module changed how I present to our directors, and that is what got me the team lead role.",
    rating: 5,
    outcome: "promotion",
    pct: 18,
    months: 3,
  },
  {
    course: "data-analytics",
    author: "Sneha Patil",
    headline: "A 30% raise after taking over our retail dashboards",
    body: "My company paid for the course. I now own the dashboards for forty stores, and my appraisal reflected it.",
    rating: 5,
    outcome: "salary_increase",
    pct: 30,
    months: 4,
    linked: true,
    credential: true,
  },
  {
    course: "data-analytics",
    author: "Vikram Nair",
    headline: "Hired as a junior data analyst after a year of trying",
    body: "I had applied for months without replies. The portfolio projects gave me something concrete to show, and the interview preparation sessions made the difference.",
    rating: 4,
    outcome: "new_job",
    pct: 40,
    months: 4,
  },
  {
    course: "data-analytics",
    author: "Lucas Ferreira",
    headline: "Promoted to analytics lead for our logistics team",
    body: "The course is demanding but well organised. Modelling data properly in SQL saved our team hours every week.",
    rating: 4,
    outcome: "promotion",
    pct: 15,
    months: 5,
  },
  {
    course: "data-analytics",
    author: "Pooja Desai",
    headline: "I started my own analytics consultancy for small businesses",
    body: "Three local retailers now pay me to build and maintain their sales dashboards. The course gave me the skills and the confidence to charge for them.",
    rating: 5,
    outcome: "started_business",
    pct: 50,
    months: 6,
    linked: true,
    credential: true,
  },
  {
    course: "data-analytics",
    author: "Hannah Schmidt",
    headline: "Finally comfortable with SQL",
    body: "I took the course to stop depending on our data team for every question. I can now answer most of them myself.",
    rating: 4,
    outcome: "skills",
    months: 1,
    consentName: false,
  },
  {
    course: "data-analytics",
    author: "Imran Qureshi",
    headline: "A raise for building our first customer churn analysis",
    body: "I applied the cohort analysis from the course to our subscription data. Leadership used it to change our renewal offers, and I was rewarded for it.",
    rating: 5,
    outcome: "salary_increase",
    pct: 25,
    months: 3,
  },
  {
    course: "digital-marketing",
    author: "sb-fatima",
    headline: "Promoted to performance marketing manager",
    body: "I ran our social accounts without really measuring anything. After the funnel and paid search modules I cut our cost per lead by a third, and I now manage the whole paid budget.",
    rating: 5,
    outcome: "promotion",
    pct: 20,
    months: 3,
    featured: true,
  },
  {
    course: "digital-marketing",
    author: "Karthik Rao",
    headline: "Launched a small digital agency for local restaurants",
    body: "I now run search and social campaigns for six restaurants in Hyderabad. The course templates for campaign plans are still what I use with every new client.",
    rating: 4,
    outcome: "started_business",
    months: 4,
  },
  {
    course: "python-for-ai",
    author: "sb-arjun",
    headline: "Machine learning engineer at a health-tech startup",
    body: "I was a backend developer curious about ML. Deploying a model behind an API in the final project was exactly what my new team needed, and I talked about it in every interview.",
    rating: 5,
    outcome: "new_job",
    pct: 55,
    months: 5,
  },
  {
    course: "python-for-ai",
    author: "Grace Mwangi",
    headline: "From lab technician to data scientist",
    body: "Python felt impossible at first. The exercises build up slowly and the forum is friendly. I switched careers six months after finishing.",
    rating: 5,
    outcome: "career_switch",
    pct: 40,
    months: 6,
  },
  {
    course: "data-analytics",
    author: "Nikhil Bose",
    headline: "Better at Excel and SQL than I ever was",
    body: "Good course. I use the pivot table and SQL tricks every week at work.",
    rating: 4,
    outcome: "skills",
    status: "pending",
  },
  {
    course: "python-for-ai",
    author: "Olivia Brown",
    headline: "My first model in production",
    body: "Our team now uses a classifier I trained on the course to route support tickets.",
    rating: 5,
    outcome: "skills",
    months: 2,
    status: "pending",
  },
];
