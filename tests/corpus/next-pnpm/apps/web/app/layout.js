export const metadata = {
  title: "next-pnpm",
  description: "A Next.js app in a pnpm workspace",
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
