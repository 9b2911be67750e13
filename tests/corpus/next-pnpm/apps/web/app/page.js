export const dynamic = "force-dynamic";

export default function Home() {
  return (
    <main>
      <h1>hello from next-pnpm</h1>
      <p>Rendered at {new Date().toISOString()}</p>
    </main>
  );
}
