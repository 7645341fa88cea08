/**
 * schema.org JSON-LD for a wall of stories: `Review`s whose subject is the `Course`, never the
 * provider's organisation (reviews a business publishes about itself are "self-serving" for
 * search engines). Built in the browser by `<chorus-story-wall>`, from the stories it shows.
 */
// Checked against schema.org's own vocabulary at compile time (schema-dts, types only: no bytes shipped).
import type { Course, WithContext } from "schema-dts";
import type { PublicStory } from "./api-types.ts";
import { jsonForScript } from "./json-script.ts";

/** The fields of a public story (consents already applied) that the markup uses. */
export type JsonLdStory = Pick<PublicStory, "name" | "headline" | "body" | "rating" | "approvedAt"> &
  Partial<Pick<PublicStory, "video">>;

/** A video story's video as schema.org's `VideoObject`, its transcript included (ISO 8601 duration). */
function videoObject(story: JsonLdStory) {
  const video = story.video;
  if (!video) return {};
  return {
    video: {
      "@type": "VideoObject" as const,
      name: story.headline,
      description: story.body,
      contentUrl: video.url,
      transcript: video.transcript,
      ...(video.posterUrl ? { thumbnailUrl: video.posterUrl } : {}),
      ...(story.approvedAt ? { uploadDate: story.approvedAt } : {}),
      ...(video.durationMs ? { duration: `PT${Math.max(1, Math.round(video.durationMs / 1000))}S` } : {}),
    },
  };
}

export type JsonLdCourse = { name: string; url?: string; description?: string };

/** The name shown for a learner who did not consent to showing theirs. */
export const anonymousAuthor = "A learner";

/** The course's rating over all its approved stories, when there are enough of them (the API decides). */
export type JsonLdRating = { count: number; average: number } | null | undefined;

export function storiesJsonLd(
  course: JsonLdCourse,
  stories: readonly JsonLdStory[],
  rating?: JsonLdRating,
): WithContext<Course> {
  return {
    "@context": "https://schema.org",
    "@type": "Course",
    name: course.name,
    ...(course.url ? { url: course.url } : {}),
    ...(course.description ? { description: course.description } : {}),
    // Over every approved story of the course, not only those on screen; from k stories up only.
    ...(rating
      ? {
          aggregateRating: {
            "@type": "AggregateRating",
            ratingValue: rating.average,
            ratingCount: rating.count,
          },
        }
      : {}),
    review: stories.map((story) => ({
      "@type": "Review",
      name: story.headline,
      reviewBody: story.body,
      // bestRating 5 and worstRating 1 are schema.org's defaults, as Chorus's ratings are.
      reviewRating: { "@type": "Rating", ratingValue: story.rating },
      author: { "@type": "Person", name: story.name ?? anonymousAuthor },
      ...(story.approvedAt ? { datePublished: story.approvedAt.slice(0, 10) } : {}),
      ...videoObject(story),
    })),
  };
}

/** The text to put inside `<script type="application/ld+json">`, escaped so no story can break out. */
export function storiesJsonLdScript(
  course: JsonLdCourse,
  stories: readonly JsonLdStory[],
  rating?: JsonLdRating,
): string {
  return jsonForScript(storiesJsonLd(course, stories, rating));
}
