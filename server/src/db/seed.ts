/**
 * Demo data, so a newcomer opens a living app: people, projects, votes,
 * threaded comments, badges, an intro and a conversation. Idempotent: does
 * nothing when the demo admin already exists. Every demo account's password
 * is DEMO_PASSWORD.
 */
import type { PrismaClient } from "../generated/prisma/client.js";
import { hashPassword } from "../modules/auth/passwords.js";

export const DEMO_PASSWORD = "zerostale-demo";
export const DEMO_ADMIN_EMAIL = "maya@zerostale.dev";

const USERS = [
  {
    name: "Maya Chen",
    email: DEMO_ADMIN_EMAIL,
    bio: "Community lead. I feature the projects that make me smile.",
    admin: true,
  },
  { name: "Leo Okafor", email: "leo@zerostale.dev", bio: "Backend tinkerer, Postgres fan, weekend climber." },
  { name: "Sofia Rossi", email: "sofia@zerostale.dev", bio: "Design systems and typography nerd." },
  {
    name: "Arjun Mehta",
    email: "arjun@zerostale.dev",
    bio: "Building tools for makers. Previously: two failed startups.",
  },
  { name: "Hana Sato", email: "hana@zerostale.dev", bio: "ML engineer who still writes CSS by hand." },
  { name: "Tom Becker", email: "tom@zerostale.dev", bio: "Indie hacker shipping one small thing a month." },
  { name: "Lina Haddad", email: "lina@zerostale.dev", bio: "Accessibility advocate; every button deserves a label." },
  { name: "Noah Williams", email: "noah@zerostale.dev", bio: "Realtime systems, game servers, and too much coffee." },
];

const PROJECTS: {
  owner: number;
  title: string;
  description: string;
  url: string | null;
  tags: string[];
  hoursAgo: number;
  featured?: boolean;
}[] = [
  {
    owner: 1,
    title: "Pgwatch Lite",
    description:
      "A tiny dashboard that shows slow queries, locks and replication lag for one PostgreSQL database. No agents, one binary.",
    url: "https://example.com/pgwatch-lite",
    tags: ["postgres", "observability"],
    hoursAgo: 5,
  },
  {
    owner: 2,
    title: "Kerning Club",
    description:
      "A daily typography game: fix the spacing of a word before the timer runs out, then compare with a type designer's answer.",
    url: "https://example.com/kerning-club",
    tags: ["design", "game"],
    hoursAgo: 30,
    featured: true,
  },
  {
    owner: 3,
    title: "Shipyard",
    description:
      "Changelogs that write themselves from merged pull requests, with a public page your users can subscribe to.",
    url: "https://example.com/shipyard",
    tags: ["devtools", "saas"],
    hoursAgo: 52,
  },
  {
    owner: 4,
    title: "Tiny Transformer Zoo",
    description:
      "Ten small language models trained on public-domain books, each under 20 MB, running in the browser with WebGPU.",
    url: "https://example.com/tiny-zoo",
    tags: ["ml", "webgpu"],
    hoursAgo: 12,
  },
  {
    owner: 5,
    title: "Receipt Ninja",
    description: "Photograph a receipt, get a categorised expense. Works offline and syncs when you are back online.",
    url: "https://example.com/receipt-ninja",
    tags: ["mobile", "finance"],
    hoursAgo: 80,
  },
  {
    owner: 6,
    title: "Contrast Checker for Figma",
    description:
      "Flags every text layer below WCAG AA contrast and suggests the closest passing colour from your palette.",
    url: "https://example.com/contrast",
    tags: ["accessibility", "figma"],
    hoursAgo: 20,
  },
  {
    owner: 7,
    title: "Lockstep",
    description:
      "Deterministic lockstep networking for browser games: 4 players, 60 ticks per second, rollback on mispredictions.",
    url: "https://example.com/lockstep",
    tags: ["realtime", "games"],
    hoursAgo: 3,
    featured: true,
  },
  {
    owner: 0,
    title: "Maker Map",
    description: "A map of makerspaces, with opening hours and tools, maintained by the people who use them.",
    url: "https://example.com/maker-map",
    tags: ["community", "maps"],
    hoursAgo: 120,
  },
  {
    owner: 1,
    title: "Queue Doctor",
    description:
      "Diagnoses stuck background jobs across BullMQ, Sidekiq and pg-boss, and tells you which worker to restart.",
    url: null,
    tags: ["devtools", "queues"],
    hoursAgo: 64,
  },
  {
    owner: 3,
    title: "Invoice Lint",
    description: "Checks e-invoices against EN 16931 before you send them, with explanations a human can read.",
    url: "https://example.com/invoice-lint",
    tags: ["finance", "compliance"],
    hoursAgo: 150,
  },
  {
    owner: 5,
    title: "Sunday Standup",
    description:
      "A weekly async standup for side projects: what shipped, what is blocked, one screenshot. Friends keep you honest.",
    url: "https://example.com/sunday-standup",
    tags: ["productivity", "community"],
    hoursAgo: 9,
  },
  {
    owner: 7,
    title: "Packet Garden",
    description: "Visualises your home network's traffic as a growing garden; noisy devices grow weeds.",
    url: "https://example.com/packet-garden",
    tags: ["networking", "art"],
    hoursAgo: 40,
  },
];

const COMMENTS: { project: number; author: number; body: string; replyTo?: number }[] = [
  {
    project: 0,
    author: 7,
    body: "This is exactly what I wanted for my side project database. Does it handle pgbouncer in transaction mode?",
  },
  {
    project: 0,
    author: 1,
    body: "Yes! It connects directly for the stats views, so the pooler mode does not matter.",
    replyTo: 0,
  },
  {
    project: 6,
    author: 4,
    body: "Rollback on mispredictions in the browser is wild. What is the input delay at 60 ticks?",
  },
  { project: 6, author: 7, body: "Two ticks by default, so about 33 ms, and you can tune it per match.", replyTo: 2 },
  { project: 1, author: 6, body: "Played three rounds and now I see bad kerning everywhere. Thanks, I hate it." },
  { project: 3, author: 2, body: "The models are tiny but surprisingly coherent. Which tokenizer did you use?" },
  { project: 5, author: 0, body: "Staff pick material. The palette suggestions are a lovely touch." },
  { project: 10, author: 3, body: "Signed up. Shipping a screenshot every Sunday is the motivation I needed." },
];

/** A small deterministic PRNG, so the demo looks the same on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function seed(prisma: PrismaClient, adminEmails: string[] = []) {
  if (await prisma.user.findUnique({ where: { email: DEMO_ADMIN_EMAIL }, select: { id: true } }))
    return { seeded: false, reason: "demo data already present" };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = Date.now();
  const users = [];
  for (const [i, u] of USERS.entries()) {
    users.push(
      await prisma.user.create({
        data: {
          email: u.email,
          name: u.name,
          bio: u.bio,
          passwordHash,
          role: u.admin || adminEmails.includes(u.email) ? "admin" : "user",
          createdAt: new Date(now - (200 - i) * 3_600_000),
        },
      }),
    );
  }
  const projects = [];
  for (const p of PROJECTS) {
    const owner = users[p.owner];
    if (!owner) continue;
    projects.push(
      await prisma.project.create({
        data: {
          ownerId: owner.id,
          title: p.title,
          description: p.description,
          url: p.url,
          tags: p.tags,
          featured: p.featured ?? false,
          // Back-dated, and not "edited": updated_at is the creation time.
          createdAt: new Date(now - p.hoursAgo * 3_600_000),
          updatedAt: new Date(now - p.hoursAgo * 3_600_000),
        },
      }),
    );
  }
  const random = rng(42);
  const votes = [];
  for (const project of projects)
    for (const user of users) {
      if (user.id === project.ownerId || random() < 0.35) continue;
      votes.push({ projectId: project.id, userId: user.id, value: random() < 0.85 ? 1 : -1 });
    }
  // Inserted row by row so the counter triggers keep projects' scores exact.
  for (const v of votes) await prisma.vote.create({ data: v });
  const comments: { id: string }[] = [];
  for (const [i, c] of COMMENTS.entries()) {
    const project = projects[c.project];
    const author = users[c.author];
    if (!project || !author) continue;
    comments.push(
      await prisma.comment.create({
        data: {
          projectId: project.id,
          authorId: author.id,
          body: c.body,
          parentId: c.replyTo === undefined ? null : (comments[c.replyTo]?.id ?? null),
          createdAt: new Date(now - (60 - i * 5) * 60_000),
          updatedAt: new Date(now - (60 - i * 5) * 60_000),
        },
      }),
    );
  }
  const [admin, leo, sofia, arjun] = users;
  const [p0, p1, , , , p5, p6] = projects;
  if (admin && p0 && p5 && p6 && p1) {
    await prisma.badge.create({ data: { projectId: p6.id, kind: "winner", awardedBy: admin.id } });
    await prisma.badge.create({ data: { projectId: p5.id, kind: "staff_pick", awardedBy: admin.id } });
    await prisma.badge.create({ data: { projectId: p1.id, kind: "best_design", awardedBy: admin.id } });
  }
  if (leo && sofia && arjun && admin) {
    await prisma.intro.create({
      data: {
        fromUserId: arjun.id,
        toUserId: leo.id,
        projectId: p0?.id ?? null,
        message: "Hi Leo, I'd love to hear how you built the lock view. Coffee next week?",
      },
    });
    await prisma.message.create({
      data: {
        senderId: sofia.id,
        recipientId: leo.id,
        body: "Loved Pgwatch Lite! Can I borrow the colour scheme?",
        readAt: new Date(now - 3_000_000),
        createdAt: new Date(now - 3_600_000),
        updatedAt: new Date(now - 3_000_000),
      },
    });
    await prisma.message.create({
      data: {
        senderId: leo.id,
        recipientId: sofia.id,
        body: "Of course, it's all CSS variables. I'll send you the file.",
        createdAt: new Date(now - 2_400_000),
        updatedAt: new Date(now - 2_400_000),
      },
    });
    await prisma.message.create({
      data: {
        senderId: admin.id,
        recipientId: leo.id,
        body: "Welcome to Zerostale! Ping me if anything looks off.",
        createdAt: new Date(now - 600_000),
        updatedAt: new Date(now - 600_000),
      },
    });
  }
  // Follows (the Following tab has something to show) and the notifications
  // they, and the comments above, would have written through the API.
  const follows: [number, number][] = [
    [1, 0],
    [1, 2],
    [2, 1],
    [3, 1],
    [0, 1],
    [4, 5],
  ];
  for (const [follower, followee] of follows) {
    const [from, to] = [users[follower], users[followee]];
    if (!from || !to) continue;
    await prisma.follow.create({ data: { followerId: from.id, followeeId: to.id } });
    await prisma.notification.create({ data: { userId: to.id, kind: "follow", actorId: from.id } });
  }
  const owners = new Map(projects.map((p) => [p.id, p.ownerId]));
  for (const c of await prisma.comment.findMany({
    select: { id: true, projectId: true, authorId: true, parentId: true },
  })) {
    const owner = owners.get(c.projectId);
    if (owner && owner !== c.authorId)
      await prisma.notification.create({
        data: { userId: owner, kind: "comment", actorId: c.authorId, projectId: c.projectId, commentId: c.id },
      });
  }
  return {
    seeded: true,
    follows: follows.length,
    users: users.length,
    projects: projects.length,
    votes: votes.length,
    comments: comments.length,
  };
}
