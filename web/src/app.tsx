import { Link, Route, Routes } from "react-router";
import { AppShell } from "./components/app-shell";
import { EmptyState } from "./components/states";
import { useDocumentTitle } from "./components/use-document-title";
import { LoginPage, SignupPage } from "./features/auth/login-page";
import { IntrosPage } from "./features/intros/intros-page";
import { LeaderboardPage } from "./features/leaderboard/leaderboard-page";
import { ConversationPage } from "./features/messages/conversation-page";
import { ConversationsPage } from "./features/messages/conversations-page";
import { NotificationsPage } from "./features/notifications/notifications-page";
import { FeedPage, FollowingPage } from "./features/projects/feed-page";
import { EditProjectPage, NewProjectPage } from "./features/projects/project-form-page";
import { ProjectPage } from "./features/projects/project-page";
import { SearchPage } from "./features/search/search-page";
import { ProfilePage } from "./features/users/profile-page";

function NotFoundPage() {
  useDocumentTitle("Not found");
  return (
    <EmptyState title="Page not found" heading>
      <Link to="/">Back to the feed</Link>
    </EmptyState>
  );
}

export function App() {
  return (
    <AppShell>
      <Routes>
        <Route index element={<FeedPage />} />
        <Route path="projects/new" element={<NewProjectPage />} />
        <Route path="projects/:id" element={<ProjectPage />} />
        <Route path="projects/:id/edit" element={<EditProjectPage />} />
        <Route path="leaderboard" element={<LeaderboardPage />} />
        <Route path="users/:id" element={<ProfilePage />} />
        <Route path="intros" element={<IntrosPage />} />
        <Route path="messages" element={<ConversationsPage />} />
        <Route path="messages/:userId" element={<ConversationPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="following" element={<FollowingPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="signup" element={<SignupPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </AppShell>
  );
}
